"""The HTTP provider adapter against a fake provider on loopback."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine

from talentport.notify.delivery import deliveries_send, delivery_to_phone_queue
from talentport.notify.models import Delivery, DeliveryStatus
from talentport.notify.sms import HttpSmsBackend, SmsSendError


class FakeProvider(ThreadingHTTPServer):
    status = 200
    delay = 0.0
    received: list[dict[str, Any]]

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # the client that timed out has gone: nothing to report


class _Handler(BaseHTTPRequestHandler):
    server: FakeProvider

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(
            {"json": json.loads(body), "auth": self.headers.get("Authorization")}
        )
        if self.server.delay:
            time.sleep(self.server.delay)
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@pytest.fixture
def provider(settings: Any) -> Iterator[FakeProvider]:
    server = FakeProvider(("127.0.0.1", 0), _Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "talentport.notify.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_address[1]}/sms"
    settings.SMS_HTTP_TOKEN = "test-token"
    settings.SMS_HTTP_SIGN_NAME = "留学人才港"
    settings.SMS_HTTP_TIMEOUT_SECONDS = 1
    yield server
    server.shutdown()
    server.server_close()


def test_posts_json_with_the_token_and_the_sign(provider: FakeProvider) -> None:
    HttpSmsBackend().send(phone="13800138000", text="您好")
    assert provider.received == [
        {
            "json": {"phone": "13800138000", "text": "您好", "sign": "留学人才港"},
            "auth": "Bearer test-token",
        }
    ]


def test_an_error_answer_raises_without_the_phone(provider: FakeProvider) -> None:
    provider.status = 500
    with pytest.raises(SmsSendError) as err:
        HttpSmsBackend().send(phone="13800138000", text="您好")
    assert "500" in str(err.value) and "13800138000" not in str(err.value)


def test_a_timeout_raises(provider: FakeProvider) -> None:
    provider.delay = 2.5
    with pytest.raises(SmsSendError):
        HttpSmsBackend().send(phone="13800138000", text="您好")


def test_the_phone_is_not_logged_in_clear(provider: FakeProvider, caplog: Any) -> None:
    HttpSmsBackend().send(phone="13800138000", text="您好")
    assert "13800138000" not in caplog.text


@pytest.mark.django_db
def test_deliveries_sent_retried_on_500_and_timeout(provider: FakeProvider) -> None:
    start = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 Beijing time
    with time_machine.travel(start, tick=False):
        delivery_to_phone_queue(phone="13800138000", title="一", dedupe_key="a")
        deliveries_send()
    assert Delivery.objects.get(notice__dedupe_key="a").status == DeliveryStatus.SENT

    provider.status = 500
    with time_machine.travel(start, tick=False):
        delivery_to_phone_queue(phone="13800138000", title="二", dedupe_key="b")
        deliveries_send()
    failed = Delivery.objects.get(notice__dedupe_key="b")
    assert failed.status == DeliveryStatus.RETRYING and failed.attempts == 1
    assert failed.next_attempt_at == start + dt.timedelta(seconds=60)
    assert "HTTP 500" in failed.last_error

    provider.status, provider.delay = 200, 2.5
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        deliveries_send()
    timed_out = Delivery.objects.get(notice__dedupe_key="b")
    assert timed_out.status == DeliveryStatus.RETRYING and timed_out.attempts == 2
    assert timed_out.next_attempt_at == start + dt.timedelta(seconds=60 + 120)

    provider.delay = 0
    with time_machine.travel(start + dt.timedelta(seconds=180), tick=False):
        deliveries_send()
    assert Delivery.objects.get(notice__dedupe_key="b").status == DeliveryStatus.SENT
