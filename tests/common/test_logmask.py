"""Personal data never in a log: the mask, the filter on every handler, gunicorn's
access and error logs, and a 500 logged with its (masked) traceback."""

from __future__ import annotations

import io
import logging
import logging.config
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from talentport.common.idcard import id_card_check_digit
from talentport.common.logmask import (
    MaskPersonalData,
    contains_personal_data,
    mask_personal_data,
)

FIRST17 = "37020219900101123"
ID = FIRST17 + id_card_check_digit(FIRST17)
ID_X = "11010519491231002X"
MOBILE = "13912345678"


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        (f"身份证号{ID}，请核对", ID),
        (f"q={ID_X.lower()}&page=2", ID_X.lower()),
        ("旧身份证 370202900101123 已停用", "370202900101123"),
        (f"手机{MOBILE}", MOBILE),
        ("tel: +86 139 1234 5678", "139 1234 5678"),
        ("电话 +86-13912345678。", "13912345678"),
        ("0086 139-1234-5678", "139-1234-5678"),
        ("GET /x?phone=%2B8613912345678 HTTP/1.1", "13912345678"),
        (f"GET /x?q=%20{ID}", ID),
        ("passport E12345678 / EA1234567", "E12345678"),
        ("passport E12345678 / EA1234567", "EA1234567"),
    ],
)
def test_mask_hides_id_phone_and_passport_numbers(text: str, leaked: str) -> None:
    masked = mask_personal_data(text)
    assert leaked not in masked
    assert "*" in masked


def test_mask_keeps_enough_to_read_and_leaves_other_numbers_alone() -> None:
    assert mask_personal_data(f"ID {ID}") == f"ID {ID[:4]}**********{ID[-4:]}"
    assert mask_personal_data(f"m {MOBILE}") == "m 139****5678"
    # request ids, timestamps, amounts, UUIDs and office phones are not personal data
    for harmless in (
        "took 1736912345678 ms",
        "amount 150000.00",
        "GET /cases/applications/9f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b/ 200",
        "0532-66776881",
        "2026-12-03 09:57:01,123",
    ):
        assert mask_personal_data(harmless) == harmless


def test_contains_personal_data_ignores_hex_tokens() -> None:
    assert contains_personal_data(ID)
    assert contains_personal_data("138 0013 8000")
    assert not contains_personal_data("a13800138000b")  # inside a token
    assert not contains_personal_data("9f0c1a2b-3c4d-4e5f-8a9b-013800138000")
    assert not contains_personal_data("张三")


def _logger_with_stream(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalData())
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_filter_masks_message_args_and_exception_text() -> None:
    # given a logger whose handler has the filter
    logger, stream = _logger_with_stream("test.logmask.filter")
    # when a message with arguments and an exception mention an ID and a phone
    logger.info("lookup %s by %s", ID, {"phone": MOBILE})
    try:
        raise ValueError("身份证号 " + ID + " 不存在")
    except ValueError:
        logger.exception("failed for %s", MOBILE)
    # then none of it reaches the output, the traceback still does
    output = stream.getvalue()
    assert ID not in output and MOBILE not in output
    assert "Traceback" in output and "ValueError" in output
    assert "3702**********" in output and "139****5678" in output


def test_every_handler_of_settings_logging_masks() -> None:
    handlers = settings.LOGGING["handlers"]
    assert handlers, "LOGGING has handlers"
    for name, config in handlers.items():
        assert "mask_personal_data" in config.get("filters", []), name
    assert settings.LOGGING["root"]["handlers"] == ["console"]
    # and every handler the configuration installed carries the filter (pytest's own
    # capture handlers aside)
    configured = [
        handler
        for name in ("", "django", "django.request", "django.server", "talentport")
        for handler in logging.getLogger(name).handlers
        if not type(handler).__module__.startswith("_pytest")
    ]
    assert configured
    for handler in configured:
        assert any(isinstance(f, MaskPersonalData) for f in handler.filters), handler


def test_gunicorn_access_and_error_logs_are_masked() -> None:
    from gunicorn.config import Config

    from talentport.common.gunicorn_logging import MaskingLogger

    # given gunicorn's logger as `talentport serve` configures it
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("errorlog", "-")
    log = MaskingLogger(cfg)
    out = io.StringIO()
    for handler in (*log.access_log.handlers, *log.error_log.handlers):
        handler.setStream(out)  # type: ignore[attr-defined]

    class Response:
        status = "400 Bad Request"
        sent = 120
        headers: list[tuple[str, str]] = []

    class Request:
        headers: list[tuple[str, str]] = []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/archives/staff/files/?q={ID}&phone=%2B86{MOBILE}",
        "PATH_INFO": "/archives/staff/files/",
        "QUERY_STRING": f"q={ID}&phone=%2B86{MOBILE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": f"http://portal/search?phone={MOBILE}",
    }
    import datetime as dt

    # when a request with an ID number in its query string is logged, and an error
    log.access(Response(), Request(), environ, dt.timedelta(seconds=0.01))
    log.error("Error handling request /x?q=%s", ID)
    # then the lines are written, masked
    output = out.getvalue()
    assert "/archives/staff/files/" in output and "Error handling request" in output
    assert ID not in output and MOBILE not in output


def test_serve_uses_the_masking_gunicorn_logger(monkeypatch: Any) -> None:
    import sys

    from talentport import cli

    seen: dict[str, list[str]] = {}

    def fake_run() -> None:
        seen["argv"] = list(sys.argv)

    monkeypatch.setattr("gunicorn.app.wsgiapp.run", fake_run)
    monkeypatch.setattr(sys, "argv", ["talentport"])
    cli._serve([])
    argv = seen["argv"]
    assert argv[argv.index("--logger-class") + 1] == (
        "talentport.common.gunicorn_logging.MaskingLogger"
    )


# --------------------------------------------------------------------------- #
# Every 500 is logged, with a traceback, personal data masked
# --------------------------------------------------------------------------- #


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("核验失败：身份证号 " + ID + " 手机 " + MOBILE)


urlpatterns = [path("boom/", _boom)]


@pytest.mark.urls("tests.common.test_logmask")
def test_a_500_is_logged_with_its_traceback_and_masked(caplog: Any) -> None:
    from tests.pii_scan import capture_log_output

    # given the console handler of settings.LOGGING (what the server writes)
    client = Client(raise_request_exception=False)
    caplog.set_level(logging.DEBUG)
    # when a view raises with an ID number and a phone in the exception message
    with capture_log_output() as console:
        response = client.get("/boom/")
    # then: a 500, logged by django.request with exc_info
    assert response.status_code == 500
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and records[0].levelno == logging.ERROR
    assert records[0].exc_info is not None
    # and the traceback reaches the console, masked (caplog sees the masked text too)
    written = console.getvalue()
    assert "Traceback" in written and "RuntimeError" in written and "/boom/" in written
    assert ID not in written and MOBILE not in written
    assert ID not in caplog.text and MOBILE not in caplog.text
    assert "3702**********" in written
