"""The 500s of issue 8 ("Also"): four form inputs on the application page, one API read,
and an Idempotency-Key longer than its column.  Each answers 400 naming the field, or
404, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from talentport.cases import services
from talentport.cases.models import Application, MaterialFile, Rating
from tests.cases.conftest import AFTER_ITEMS, FORM, PDF, file_after

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def draft(bundles: Any, person: Any) -> Application:
    application, _ = services.application_create(
        bundle=bundles["weihai-study-abroad"],
        stage="after",
        applicant=person,
        actor=person,
        selected_items=AFTER_ITEMS,
        form_data=FORM,
    )
    return application


# --------------------------------------------------------------------------- #
# The application page: four inputs that answered 500
# --------------------------------------------------------------------------- #


def test_an_upload_without_a_material_code_is_a_400(draft: Application, person: Any) -> None:
    # given
    url = reverse("cases:application", args=[draft.uuid])

    # when: the hidden "code" field is removed, or made up
    missing = client_for(person).post(
        url, {"op": "upload", "file": SimpleUploadedFile("a.pdf", PDF)}
    )
    made_up = client_for(person).post(
        url, {"op": "upload", "code": "x" * 500, "file": SimpleUploadedFile("a.pdf", PDF)}
    )

    # then
    for response in (missing, made_up):
        assert response.status_code == 400
        assert "本申请不需要这项材料" in _messages(response)
    assert not MaterialFile.objects.exists()


@pytest.mark.parametrize("subcase", [None, "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_correction_answer_for_a_missing_or_malformed_subcase_is_a_404(
    bundles: Any, person: Any, subcase: str | None
) -> None:
    # given
    application = file_after(bundles["weihai-study-abroad"], person)
    body = {"op": "answer", "answer": "已补充"}
    if subcase is not None:
        body["subcase"] = subcase

    # when
    response = client_for(person).post(reverse("cases:application", args=[application.uuid]), body)

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("subcase", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_a_rating_of_a_malformed_or_unknown_subcase_is_a_404(
    bundles: Any, person: Any, subcase: str
) -> None:
    # given
    application = file_after(bundles["weihai-study-abroad"], person)

    # when
    response = client_for(person).post(
        reverse("cases:application", args=[application.uuid]),
        {"op": "rate", "level": "satisfied", "subcase": subcase},
    )

    # then
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_a_refused_action_on_the_page_is_a_400_with_its_message(
    draft: Application, person: Any
) -> None:
    response = client_for(person).post(
        reverse("cases:application", args=[draft.uuid]), {"op": "rate", "level": "zzz"}
    )
    assert response.status_code == 400
    assert "办结后才能评价" in _messages(response)


def test_a_too_long_or_control_character_correction_answer_is_a_400(
    bundles: Any, person: Any, staff: Any
) -> None:
    # given: a sub-case waiting for a correction
    application = file_after(bundles["weihai-study-abroad"], person)
    sc = application.subcases.first()
    assert sc is not None
    actor = staff["hrss"] if sc.department.code == "wh-hrss" else staff["police"]
    sc.refresh_from_db()
    services.subcase_request_correction(
        subcase=sc,
        actor=actor,
        expected_version=sc.version,
        entries=[{"field": "", "message": "请补充护照首页"}],
        message="请补充",
    )
    url = reverse("cases:application", args=[application.uuid])

    # when
    long = client_for(person).post(
        url, {"op": "answer", "subcase": str(sc.uuid), "answer": "补" * 6000}
    )
    control = client_for(person).post(
        url, {"op": "answer", "subcase": str(sc.uuid), "answer": "a\x07b"}
    )

    # then
    assert long.status_code == 400 and "最多 5000 个字" in _messages(long)
    assert control.status_code == 400 and "包含不允许的控制字符" in _messages(control)
    sc.refresh_from_db()
    assert sc.status == "correction"


# --------------------------------------------------------------------------- #
# The start page and the API: Idempotency-Key, form values
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("key", ["k" * 81, "key\x07bell", "with space", "键"])
def test_a_bad_idempotency_key_on_the_start_page_is_a_400(
    bundles: Any, person: Any, key: str
) -> None:
    # when
    response = client_for(person).post(
        reverse("cases:start", args=[bundles["weihai-study-abroad"].uuid]),
        {"stage": "after", "items": AFTER_ITEMS, "idempotency_key": key},
    )

    # then
    assert response.status_code == 400
    assert any("幂等键" in m for m in _messages(response))
    assert not Application.objects.exists()


def test_an_idempotency_key_of_80_characters_is_fine(bundles: Any, person: Any) -> None:
    response = client_for(person).post(
        reverse("cases:start", args=[bundles["weihai-study-abroad"].uuid]),
        {"stage": "after", "items": AFTER_ITEMS, "idempotency_key": "k" * 80},
    )
    assert response.status_code == 302
    assert Application.objects.get().idempotency_key == "k" * 80


@pytest.mark.parametrize(
    ("headers", "body_key", "field"),
    [
        ({"HTTP_IDEMPOTENCY_KEY": "k" * 81}, None, "Idempotency-Key"),
        ({"HTTP_IDEMPOTENCY_KEY": "a\tb"}, None, "Idempotency-Key"),
        ({}, "k" * 81, "idempotency_key"),
    ],
)
def test_a_long_idempotency_key_in_the_api_is_a_400_naming_it(
    bundles: Any, person: Any, headers: dict[str, str], body_key: str | None, field: str
) -> None:
    # given
    body: dict[str, Any] = {
        "bundle": str(bundles["weihai-study-abroad"].uuid),
        "stage": "after",
        "items": AFTER_ITEMS,
        "form_data": FORM,
    }
    if body_key is not None:
        body["idempotency_key"] = body_key

    # when
    response = client_for(person).post(
        "/api/v1/applications/", body, content_type="application/json", **headers
    )

    # then
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("form_data", "field"),
    [
        ({"name": "x" * 2001}, "form_data.name"),
        ({"name": {"nested": "object"}}, "form_data.name"),
        ({"name": ["a", "list"]}, "form_data.name"),
        ({"name": "bell\x07"}, "form_data.name"),
        ({"k" * 101: "v"}, "form_data"),
        ({"age": 10**20}, "form_data.age"),
        ({"age": 1e300 * 1e10}, ""),  # Infinity: not JSON at all
    ],
)
def test_odd_form_values_in_the_api_are_400(
    bundles: Any, person: Any, form_data: dict[str, Any], field: str
) -> None:
    body = {
        "bundle": str(bundles["weihai-study-abroad"].uuid),
        "stage": "after",
        "items": AFTER_ITEMS,
        "form_data": form_data,
    }
    raw = json.dumps(body, allow_nan=True)
    response = client_for(person).post(
        "/api/v1/applications/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]


def test_a_nul_character_is_refused_before_it_reaches_the_database(
    bundles: Any, person: Any
) -> None:
    start = reverse("cases:start", args=[bundles["weihai-study-abroad"].uuid])
    page = client_for(person).post(
        start, {"stage": "after", "items": AFTER_ITEMS, "form_name": "a\x00b"}
    )
    api = client_for(person).post(
        "/api/v1/applications/",
        '{"bundle": "x", "stage": "after", "form_data": {"name": "a\\u0000b"}}',
        content_type="application/json",
    )
    query = client_for(person).get("/api/v1/services", {"q": "a\x00"})
    assert page.status_code == 400
    assert api.status_code == 400 and api.json()["errors"][0]["code"] == "invalid"
    assert query.status_code == 400 and query.json()["errors"][0]["field"] == "q"
    assert not Application.objects.exists()
    # an escaped backslash before "u0000" is plain text, not a NUL
    text = client_for(person).post(
        "/api/v1/eligibility", '{"note": "C:\\\\u0000"}', content_type="application/json"
    )
    assert text.status_code == 200


# --------------------------------------------------------------------------- #
# The API read: an unknown status filter
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("status", ["unknown", "x" * 300, "accepted'--"])
def test_the_subcase_queue_refuses_an_unknown_status(staff: Any, status: str) -> None:
    response = client_for(staff["hrss"]).get("/api/v1/subcases/", {"status": status})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["status"]


def test_the_subcase_queue_filters_by_a_known_status(bundles: Any, person: Any, staff: Any) -> None:
    file_after(bundles["weihai-study-abroad"], person)
    hrss = client_for(staff["hrss"])
    everything = hrss.get("/api/v1/subcases/").json()
    submitted = hrss.get("/api/v1/subcases/", {"status": "submitted"}).json()
    assert everything and {row["status"] for row in submitted} <= {"submitted"}
    assert client_for(staff["hrss"]).get(reverse("cases:queue"), {"status": "zzz"}).status_code == (
        200
    )
