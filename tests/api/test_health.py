"""/healthz: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, connections


@pytest.mark.django_db
def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["vendor"] == connection.vendor
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    # given
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(connections["default"]), "cursor", unreachable)
    # when
    response = client.get("/healthz")
    # then
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "unreachable",
        "vendor": connection.vendor,
    }


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
