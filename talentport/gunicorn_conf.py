"""Gunicorn settings of ``talentport serve`` (``gunicorn -c python:talentport.gunicorn_conf``).

Worker model.  A request of the portal is short and mostly CPU (Python rendering JSON
and HTML; the database is local or one hop away, and public pages come from the cache),
so the processes, not the threads, carry the load: one Python process runs one core at
a time (the GIL).  ``gthread`` workers are used rather than ``sync`` ones because they
keep client connections alive (``sync`` closes each one; behind a load balancer or
under a browser every request would pay a new TCP connection) and because a few
threads per process cover the moments a request waits on the database, Redis or the
disk.  The default is ``2 × CPU + 1`` processes (the figure gunicorn's documentation
gives, enough that a core never idles while a worker waits) with 2 threads each, capped
so that a large machine does not start dozens of processes by default: a machine that
should run more is told so.

Every choice can be set from the environment:

    WEB_CONCURRENCY        worker processes (default 2 × CPU + 1, at most 12)
    GUNICORN_THREADS       threads per worker (default 2)
    GUNICORN_WORKER_CLASS  gthread (default) or sync (then threads are not used)
    GUNICORN_TIMEOUT       seconds before a silent worker is restarted (default 30)
    GUNICORN_KEEPALIVE     seconds a kept-alive client connection waits (default 5)
    GUNICORN_MAX_REQUESTS  restart a worker after this many requests, 0 = never
                           (default 0; with jitter of 10 % when set)
    DB_CONN_MAX_AGE        seconds a worker keeps its database connection (default 60
                           here, where the process is a long-lived web worker: a new
                           PostgreSQL connection per request costs more than the request)
"""

from __future__ import annotations

import os

_cpus = os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise SystemExit(f"{name} must not be negative")
    return value


worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread").strip() or "gthread"
workers = max(1, _int("WEB_CONCURRENCY", min(2 * _cpus + 1, 12)))
threads = max(1, _int("GUNICORN_THREADS", 2)) if worker_class == "gthread" else 1
timeout = _int("GUNICORN_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# Read by talentport.settings (``talentport serve`` sets it before it loads them; this
# covers ``gunicorn -c python:talentport.gunicorn_conf`` started by hand).
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

# Load Django and the search dictionary once in the master, then fork: every worker
# starts warm (jieba's dictionary takes ~0.6 s of CPU per process; without this the
# first search in each of the workers waits for it) and shares those pages of memory.
# A code change then needs a restart of the master, not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip() != "0"


def when_ready(server: object) -> None:
    """Do in the master, once, what each worker's first request would do: import every
    view (the URL configuration), compile the public templates, read the translations,
    load the search dictionary.  Nothing here touches the database."""
    if not preload_app:
        return
    import jieba
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for name in _WARM_TEMPLATES:
        get_template(name)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("首页")
            resolver.resolve("/")  # imports every app's views
            resolver.reverse_dict  # noqa: B018  (reverse() tables are built per language)
            for pattern in resolver.url_patterns:
                resolver_warm(pattern)
    jieba.initialize()


def resolver_warm(pattern: object) -> None:
    """Compile every URL pattern's regular expression (cached per language)."""
    getattr(pattern, "pattern").regex  # noqa: B009, B018
    for child in getattr(pattern, "url_patterns", ()):
        resolver_warm(child)
    if hasattr(pattern, "reverse_dict"):
        getattr(pattern, "reverse_dict")  # noqa: B009, B018


_WARM_TEMPLATES = (
    "base.html",
    "portal/home.html",
    "portal/services.html",
    "portal/service_detail.html",
    "portal/departments.html",
    "portal/department_detail.html",
    "portal/specialists.html",
    "portal/error.html",
    "_personal/account.html",
    "_personal/csrf.html",
    "_personal/messages.html",
)


def pre_fork(server: object, worker: object) -> None:
    # never hand a database connection opened in the master to a forked worker
    if preload_app:
        from django.db import connections

        connections.close_all()
