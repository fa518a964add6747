"""Gunicorn's own logs masked like Django's: ``talentport serve`` runs gunicorn with
``--logger-class talentport.common.gunicorn_logging.MaskingLogger``.

The access log line carries the request line with its query string and the referer;
the error log names the URI of a failed request.  Every handler gunicorn sets up
(console, file, syslog) gets :class:`~talentport.common.logmask.MaskPersonalData`.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from talentport.common.logmask import MaskPersonalData


class MaskingLogger(Logger):  # type: ignore[misc]
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
                    handler.addFilter(MaskPersonalData())
