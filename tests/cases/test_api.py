"""Cases API: ownership (second person → 404), idempotency, 409, uploads, schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from talentport.cases.models import Application, RectificationTask, ReturnVisit
from tests.cases.conftest import AFTER_ITEMS, FORM, PDF, file_after, specialist

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_file_upload_submit_and_idempotency(bundles: Any, person: Any) -> None:
    c = client_for(person)
    bundle = bundles["weihai-study-abroad"]
    checklist = c.get(f"/api/v1/bundles/{bundle.uuid}/checklist/", {"stage": "after"})
    assert checklist.status_code == 200 and checklist.json()["materials"]
    body = {"bundle": str(bundle.uuid), "stage": "after", "items": AFTER_ITEMS, "form_data": FORM}
    r = c.post("/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert r.status_code == 201
    app_id = r.json()["id"]
    r2 = c.post("/api/v1/applications/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert r2.status_code == 200 and r2.json()["id"] == app_id
    bad = c.post(f"/api/v1/applications/{app_id}/submit/", format="json")
    assert bad.status_code == 400
    assert {e["code"] for e in bad.json()["errors"]} == {"material_missing"}
    for code in ("passport", "degree_certificate", "id_card"):
        up = c.post(
            f"/api/v1/applications/{app_id}/materials/",
            {"code": code, "file": SimpleUploadedFile(code + ".pdf", PDF)},
            format="multipart",
        )
        assert up.status_code == 201, up.json()
    evil = c.post(
        f"/api/v1/applications/{app_id}/materials/",
        {"code": "passport", "file": SimpleUploadedFile("x.pdf", b"<html>")},
        format="multipart",
    )
    assert evil.status_code == 400 and evil.json()["errors"][0]["code"] == "file_type_not_allowed"
    ok = c.post(f"/api/v1/applications/{app_id}/submit/", format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "processing"
    again = c.post(f"/api/v1/applications/{app_id}/submit/", format="json")
    assert again.json()["number"] == ok.json()["number"]
    assert Application.objects.count() == 1
    timeline = c.get(f"/api/v1/applications/{app_id}/timeline/").json()
    assert {t["department"] for t in timeline} == {"威海市人力资源和社会保障局", "威海市公安局"}
    assert all(t["due_date"] for t in timeline)


def test_second_person_gets_404_everywhere(
    bundles: Any, person: Any, other_person: Any, staff: Any
) -> None:
    application = file_after(bundles["weihai-study-abroad"], person)
    sc = application.subcases.first()
    assert sc is not None
    material = application.materials.first().file  # type: ignore[union-attr]
    c = client_for(other_person)
    a = application.uuid
    checks = [
        c.get(f"/api/v1/applications/{a}/"),
        c.patch(f"/api/v1/applications/{a}/", {"form_data": {}}, format="json"),
        c.post(f"/api/v1/applications/{a}/submit/"),
        c.post(f"/api/v1/applications/{a}/materials/", {"code": "passport"}, format="multipart"),
        c.get(f"/api/v1/applications/{a}/timeline/"),
        c.post(f"/api/v1/applications/{a}/ratings/", {"level": "satisfied"}, format="json"),
        c.post(f"/api/v1/applications/{a}/guardians/", {"username": "bob"}, format="json"),
        c.get(f"/api/v1/subcases/{sc.uuid}/"),
        c.post(
            f"/api/v1/subcases/{sc.uuid}/actions/",
            {"action": "accept", "version": 0},
            format="json",
        ),
        c.post(f"/api/v1/subcases/{sc.uuid}/correction-answer/", {}, format="json"),
        c.get(f"/api/v1/materials/{material.uuid}/download/"),
        c.get("/api/v1/applications/not-a-uuid/"),
    ]
    assert [r.status_code for r in checks] == [404] * len(checks)
    assert all(r.json()["errors"][0]["code"] == "not_found" for r in checks)
    assert client_for(other_person).get("/api/v1/applications/").json() == []
    # the owner, the handling department and an authorised guardian can download
    assert client_for(person).get(f"/api/v1/materials/{material.uuid}/download/").status_code == 200
    assert (
        client_for(staff["police"]).get(f"/api/v1/materials/{material.uuid}/download/").status_code
        == 200
    )
    r = client_for(person).post(
        f"/api/v1/applications/{a}/guardians/", {"username": "bob"}, format="json"
    )
    assert r.status_code == 201
    assert client_for(other_person).get(f"/api/v1/applications/{a}/timeline/").status_code == 200
    assert (
        client_for(other_person).get(f"/api/v1/materials/{material.uuid}/download/").status_code
        == 200
    )


def test_department_queue_actions_conflict_and_rating(
    bundles: Any, person: Any, staff: Any
) -> None:
    application = file_after(bundles["weihai-study-abroad"], person)
    police = client_for(staff["police"])
    queue = police.get("/api/v1/subcases/").json()
    assert [q["department_code"] for q in queue] == ["wh-police"]
    sc = queue[0]
    url = f"/api/v1/subcases/{sc['id']}/actions/"
    first = police.post(url, {"action": "accept", "version": sc["version"]}, format="json")
    assert first.status_code == 200
    late = police.post(
        url, {"action": "reject", "version": sc["version"], "reason": "x"}, format="json"
    )
    assert late.status_code == 409 and late.json()["errors"][0]["code"] == "version_conflict"
    v = first.json()["version"]
    wrong = police.post(
        url, {"action": "complete", "version": v, "result_number": "1"}, format="json"
    )
    assert (
        wrong.status_code == 409 and wrong.json()["errors"][0]["code"] == "transition_not_allowed"
    )
    hrss_sc = application.subcases.get(department__code="wh-hrss")
    assert (
        police.post(
            f"/api/v1/subcases/{hrss_sc.uuid}/actions/",
            {"action": "accept", "version": 0},
            format="json",
        ).status_code
        == 404
    )
    corr = police.post(
        url,
        {
            "action": "request_correction",
            "version": v,
            "entries": [{"field": "passport", "message": "不清晰"}],
        },
        format="json",
    )
    assert corr.status_code == 200
    answer = client_for(person).post(
        f"/api/v1/subcases/{sc['id']}/correction-answer/", {"answer": "ok"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    v = answer.json()["version"]
    assert police.post(url, {"action": "approve", "version": v}, format="json").status_code == 200
    done = police.post(
        url, {"action": "complete", "version": v + 1, "result_number": "CRJ-1"}, format="json"
    )
    assert done.status_code == 200
    hrss = client_for(staff["hrss"])
    hurl = f"/api/v1/subcases/{hrss_sc.uuid}/actions/"
    for i, action in enumerate(["accept", "approve", "complete"]):
        r = hrss.post(
            hurl, {"action": action, "version": i, "result_number": "RZ-1"}, format="json"
        )
        assert r.status_code == 200, r.json()
    c = client_for(person)
    a = application.uuid
    assert c.get(f"/api/v1/applications/{a}/").json()["status"] == "closed"
    r = c.post(
        f"/api/v1/applications/{a}/ratings/",
        {
            "subcase": str(hrss_sc.uuid),
            "level": "very_dissatisfied",
            "indicators": {"attitude": "dissatisfied"},
        },
        format="json",
    )
    assert r.status_code == 201
    boss = client_for(staff["hrss_boss"])
    board = boss.get("/api/v1/supervision/").json()
    assert board["rectifications_total"] == 1 and board["reply_rate"] == 0.0
    task = RectificationTask.objects.get()
    visit = ReturnVisit.objects.get()
    # a supervisor of another department neither answers the task nor records the visit
    other_boss = client_for(specialist("wh-police", "policeboss", supervisor=True))
    assert (
        other_boss.post(
            f"/api/v1/rectifications/{task.uuid}/reply/", {"reply": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        other_boss.post(
            f"/api/v1/return-visits/{visit.uuid}/",
            {"reply": "x", "reached": True, "satisfaction": "satisfied"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        boss.post(
            f"/api/v1/rectifications/{task.uuid}/reply/", {"reply": "已约谈"}, format="json"
        ).status_code
        == 200
    )
    assert boss.get("/api/v1/supervision/").json()["reply_rate"] == 1.0
    assert client_for(person).get("/api/v1/supervision/").status_code == 403


def test_schema_has_no_warnings_for_cases() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/applications/" in out.getvalue()
