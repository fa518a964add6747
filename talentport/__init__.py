"""TalentPort 留学人才港."""

__version__ = "0.1.0"

# The Celery app is loaded with Django so that ``@shared_task`` binds to it.
from talentport.celery import app as celery_app  # noqa: E402

__all__ = ["__version__", "celery_app"]
