"""TalentPort 留学人才港."""

__version__ = "0.1.0"
