"""一件事 pages: 帮办代办, employer filing with consent, 学历汇, draft editing with
conflicts, supervision forms, the start page's 更新清单, and what a step costs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from talentport.cases import services
from talentport.cases.models import (
    Application,
    ApplicationStatus,
    DegreeConfirmation,
    RatingLevel,
    RectificationStatus,
    RectificationTask,
    ReturnVisit,
    ReturnVisitStatus,
    SubCase,
    SubCaseStatus,
)
from talentport.common.models import AuditEvent
from talentport.common.selectors import audit_events_for
from talentport.people import services as people_services
from talentport.people.models import AccessGrant, AccessKind, Role
from tests.cases.conftest import AFTER_ITEMS, FORM, PDF, file_after, make_user, upload_all

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _act(sc: SubCase, fn: Any, actor: Any, **kw: Any) -> SubCase:
    sc.refresh_from_db()
    result: SubCase = fn(subcase=sc, actor=actor, expected_version=sc.version, **kw)
    return result


# --------------------------------------------------------------------------- #
# 帮办代办
# --------------------------------------------------------------------------- #


def _authorise_window(person: Any, window_user: Any) -> AccessGrant:
    return people_services.access_grant_create(
        actor=person,
        person=person,
        kind=AccessKind.ASSISTANT,
        grantee_username=window_user.username,
    )


def test_window_lists_only_the_people_who_authorised_it(
    bundles: Any, person: Any, other_person: Any, staff: Any
) -> None:
    # given: alice authorised the window specialist, bob did not
    _authorise_window(person, staff["window"])
    window = client_for(staff["window"])
    url = reverse("cases:assist")
    # when / then: alice is listed and found by username, e-mail and the phone of an
    # earlier application (a POST: never in a URL); bob is never, not even by his username
    file_after(bundles["weihai-study-abroad"], person)
    page = window.get(url).content.decode()
    assert "李爱丽" in page and "王博" not in page
    for query in ("alice", "ALICE@example.org", FORM["phone"]):
        found = window.post(url, {"q": query}).content.decode()
        assert "李爱丽" in found and "王博" not in found, query
    assert "王博" not in window.post(url, {"q": "bob"}).content.decode()
    assert (
        window.get(reverse("cases:assist-person", kwargs={"person": other_person.uuid})).status_code
        == 404
    )
    # the page tells the specialist the code people authorise them with
    assert 'id="my-code"' in page and staff["window"].username in page
    # a person or a department specialist cannot use the page
    assert client_for(person).post(url, {"q": "bob"}).status_code == 404
    assert client_for(staff["hrss"]).get(url).status_code == 404


def test_window_without_authorisation_cannot_file_and_loses_access_on_revocation(
    bundles: Any, person: Any, staff: Any
) -> None:
    bundle = bundles["weihai-study-abroad"]
    window = client_for(staff["window"])
    start = reverse("cases:assist-start", kwargs={"person": person.uuid, "id": bundle.uuid})
    # without a grant: 404, nothing to see
    assert window.get(start, {"stage": "after"}).status_code == 404
    # with it: the specialist files for alice
    grant = _authorise_window(person, staff["window"])
    application = file_after(bundle, person)
    detail = reverse("cases:application", kwargs={"id": application.uuid})
    assert window.get(detail).status_code == 200
    # alice revokes: access ends at once, pages and API alike
    people_services.access_grant_revoke(actor=person, grant=grant)
    assert window.get(detail).status_code == 404
    assert window.get(f"/api/v1/applications/{application.uuid}/").status_code == 404
    assert window.get(start, {"stage": "after"}).status_code == 404


def test_window_files_for_person_and_answers_correction_on_behalf(
    bundles: Any, person: Any, staff: Any
) -> None:
    bundle = bundles["weihai-study-abroad"]
    window_user = staff["window"]
    window = client_for(window_user)
    _authorise_window(person, window_user)
    # when: the window specialist fills the one form for alice
    start = reverse("cases:assist-start", kwargs={"person": person.uuid, "id": bundle.uuid})
    page = window.get(start, {"stage": "after"})
    assert page.status_code == 200 and "窗口帮办代办" in page.content.decode()
    form = {f"form_{k}": v for k, v in FORM.items()}
    response = window.post(
        start,
        {"stage": "after", "items": AFTER_ITEMS, "idempotency_key": "k1", "op": "save", **form},
    )
    application = Application.objects.get(applicant=person)
    assert response.status_code == 302 and application.filed_by == window_user
    detail = reverse("cases:application", kwargs={"id": application.uuid})
    # uploads the materials and submits, all through the application page
    for m in services.application_materials_needed(application=application):
        window.post(
            detail,
            {"op": "upload", "code": m["code"], "file": _upload(m["code"])},
        )
    window.post(detail, {"op": "submit"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PROCESSING
    # then: every event says it was done for alice
    events = audit_events_for(subject=application)
    assert {e.action for e in events} >= {"create", "material_attach", "submit"}
    assert all(e.actor == window_user and e.on_behalf_of == person for e in events)
    # the police ask for a correction; the specialist answers it for her
    police = application.subcases.get(department__code="wh-police")
    _act(police, services.subcase_accept, staff["police"])
    _act(
        police,
        services.subcase_request_correction,
        staff["police"],
        entries=[{"field": "passport", "message": "护照页不清晰"}],
    )
    window.post(detail, {"op": "answer", "subcase": str(police.uuid), "answer": "已代为重新上传"})
    police.refresh_from_db()
    assert police.status == SubCaseStatus.ACCEPTED
    answer = AuditEvent.objects.get(action="answer_correction")
    assert answer.actor == window_user and answer.on_behalf_of == person
    # alice sees on her own page that it was done on her behalf
    own = client_for(person).get(detail).content.decode()
    assert 'id="filed-for"' in own and "代 李爱丽" in own
    # the person's overview for the window lists it
    overview = reverse("cases:assist-person", kwargs={"person": person.uuid})
    assert application.number in window.get(overview).content.decode()


def _upload(code: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(code + ".pdf", PDF, content_type="application/pdf")


def test_second_person_gets_404_on_every_page(
    bundles: Any, person: Any, other_person: Any, staff: Any
) -> None:
    application = file_after(bundles["weihai-study-abroad"], person)
    bob = client_for(other_person)
    detail = reverse("cases:application", kwargs={"id": application.uuid})
    assert bob.get(detail).status_code == 404
    assert bob.post(detail, {"op": "save", "version": "0", "form_name": "x"}).status_code == 404
    assert bob.get(reverse("cases:assist-person", kwargs={"person": person.uuid})).status_code == (
        404
    )
    sc = application.subcases.first()
    assert sc is not None
    assert bob.get(reverse("cases:subcase", kwargs={"id": sc.uuid})).status_code == 404
    assert application.number not in bob.get(reverse("cases:home")).content.decode()


# --------------------------------------------------------------------------- #
# Employer files the Liaocheng card once the employee consents
# --------------------------------------------------------------------------- #

LC_FORM = {
    "name": "张博士",
    "id_number": "371500198001011234",
    "phone": "13900000000",
    "employer_name": "某公司",
    "talent_tier": "急需紧缺人才",
}


def test_employer_files_only_with_consent_and_employee_can_revoke(bundles: Any) -> None:
    employee = make_user("dr-zhang", display_name="张博士")
    employer_user = make_user("acme", Role.EMPLOYER, display_name="某公司")
    bundle = bundles["liaocheng-medical-care-card"]
    employer = client_for(employer_user)
    start = reverse("cases:employer-start", kwargs={"person": employee.uuid, "id": bundle.uuid})
    # without consent: refused with a Chinese reason, nothing created
    refused = employer.get(start)
    assert refused.status_code == 403
    assert "员工尚未同意由本单位代为申请" in refused.content.decode()
    lookup = employer.get(reverse("cases:employer"), {"employee": "dr-zhang"}).content.decode()
    assert "尚未同意由本单位代为申请" in lookup
    assert employer.post(start, {"stage": "after", "op": "save"}).status_code == 403
    assert not Application.objects.exists()
    # the employee consents on their page
    me = client_for(employee)
    me.post(reverse("cases:consents"), {"op": "grant", "username": "acme"})
    consent = AccessGrant.objects.get(
        person=employee, kind=AccessKind.EMPLOYER, revoked_at__isnull=True
    )
    assert "某公司" in me.get(reverse("cases:consents")).content.decode()
    # the employer now sees the employee and files the card for them
    overview = employer.get(reverse("cases:employer")).content.decode()
    assert "dr-zhang" in overview and start in overview
    form = {f"form_{k}": v for k, v in LC_FORM.items()}
    assert employer.post(start, {"stage": "after", "op": "save", **form}).status_code == 400
    items = ["county-intake", "city-review", "card-issue"]
    response = employer.post(
        start, {"stage": "after", "op": "save", "items": items, "idempotency_key": "e1", **form}
    )
    assert response.status_code == 302
    application = Application.objects.get(applicant=employee)
    assert application.filed_by == employer_user
    upload_all(application, employer_user)
    done = employer.post(
        reverse("cases:application", kwargs={"id": application.uuid}), {"op": "submit"}, follow=True
    )
    assert "申请已提交" in done.content.decode(), done.content.decode()[-3000:]
    submit = AuditEvent.objects.get(action="submit")
    assert submit.actor == employer_user and submit.on_behalf_of == employee
    # the employee revokes: the employer is refused again
    me.post(reverse("cases:consents"), {"op": "revoke", "id": str(consent.uuid)})
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert employer.get(start).status_code == 403
    assert AuditEvent.objects.filter(action="access.revoked").count() == 1
    # and the application it filed is no longer the employer's to read or change
    application.refresh_from_db()
    assert application.number
    detail = reverse("cases:application", kwargs={"id": application.uuid})
    assert employer.get(detail).status_code == 404
    assert employer.post(detail, {"op": "save", "version": "0"}).status_code == 404
    assert employer.get(f"/api/v1/applications/{application.uuid}/").status_code == 404
    assert application.number not in employer.get(reverse("cases:employer")).content.decode()
    # an account that is not an employer has no employer page; an unknown employer is named
    assert me.get(reverse("cases:employer")).status_code == 404
    me.post(reverse("cases:consents"), {"op": "grant", "username": "nobody"}, follow=True)
    page = me.post(
        reverse("cases:consents"), {"op": "grant", "username": "nobody"}, follow=True
    ).content.decode()
    assert "没有这个用人单位账户" in page


def test_employer_cannot_file_a_person_bundle(bundles: Any) -> None:
    employee = make_user("emp")
    employer_user = make_user("acme2", Role.EMPLOYER)
    services.employee_consent_grant(employee=employee, employer_username="acme2")
    bundle = bundles["weihai-study-abroad"]
    start = reverse("cases:employer-start", kwargs={"person": employee.uuid, "id": bundle.uuid})
    refused = client_for(employer_user).get(start)
    assert refused.status_code == 403 and "该事项不由用人单位代为申请" in refused.content.decode()


# --------------------------------------------------------------------------- #
# 学历汇
# --------------------------------------------------------------------------- #


def test_degree_page_confirms_once_and_later_applications_reuse_it(
    bundles: Any, person: Any
) -> None:
    me = client_for(person)
    url = reverse("cases:degree")
    assert "尚未确认" in me.get(url).content.decode()
    # a missing school is refused, nothing stored
    response = me.post(url, {"school": "", "degree": "硕士"})
    assert response.status_code == 400 and "请填写「毕业院校」" in response.content.decode()
    assert not DegreeConfirmation.objects.exists()
    me.post(url, {"school": "University of Edinburgh", "degree": "硕士", "cscse_number": "A1"})
    record = DegreeConfirmation.objects.get(owner=person)
    assert record.data["school"] == "University of Edinburgh"
    assert "已确认" in me.get(url).content.decode()
    # the checklist marks the degree materials, the form is prefilled from it
    bundle = bundles["weihai-study-abroad"]
    page = me.get(reverse("cases:start", kwargs={"id": bundle.uuid}), {"stage": "after"})
    assert "学历汇已确认" in page.content.decode()
    assert 'value="University of Edinburgh"' in page.content.decode()
    # submitting without uploading the degree certificate works
    application, _ = services.application_create(
        bundle=bundle,
        stage="after",
        applicant=person,
        actor=person,
        selected_items=["degree-verification"],
        form_data=FORM,
    )
    for code in ("passport",):
        f = services.material_upload(
            owner=person, actor=person, code=code, filename="p.pdf", content=PDF
        )
        services.application_attach_material(
            application=application, actor=person, code=code, material=f
        )
    assert services.application_missing(application=application) == []
    application = services.application_submit(application=application, actor=person)
    assert application.status == ApplicationStatus.PROCESSING


# --------------------------------------------------------------------------- #
# Draft editing (optimistic)
# --------------------------------------------------------------------------- #


def test_draft_edit_saves_and_a_stale_tab_gets_a_conflict(bundles: Any, person: Any) -> None:
    application, _ = services.application_create(
        bundle=bundles["weihai-study-abroad"],
        stage="after",
        applicant=person,
        actor=person,
        selected_items=AFTER_ITEMS,
        form_data=FORM,
    )
    me = client_for(person)
    url = reverse("cases:application", kwargs={"id": application.uuid})
    page = me.get(url).content.decode()
    assert 'id="d-school"' in page and f'name="version" value="{application.version}"' in page
    read = application.version
    # tab 1 saves
    response = me.post(url, {"op": "save", "version": str(read), "form_school": "Tab One U"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.form_data["school"] == "Tab One U" and application.version == read + 1
    # tab 2 still holds the old version: refused, nothing lost, its input kept
    response = me.post(url, {"op": "save", "version": str(read), "form_school": "Tab Two U"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "该草稿已在其他页面或由他人保存过" in body and 'value="Tab Two U"' in body
    application.refresh_from_db()
    assert application.form_data["school"] == "Tab One U"
    # the service says the same to the API: 409
    from talentport.cases.errors import CaseError

    with pytest.raises(CaseError) as err:
        services.application_update(
            application=application, actor=person, form_data={"school": "x"}, expected_version=0
        )
    assert err.value.status == 409
    # after submission the draft form is gone
    upload_all(application, person)
    services.application_submit(application=application, actor=person)
    assert 'id="draft-form"' not in me.get(url).content.decode()


# --------------------------------------------------------------------------- #
# Start page: 更新清单 without JS
# --------------------------------------------------------------------------- #


def test_refresh_button_rerenders_the_union_without_saving(bundles: Any, person: Any) -> None:
    bundle = bundles["weihai-study-abroad"]
    me = client_for(person)
    url = reverse("cases:start", kwargs={"id": bundle.uuid})
    page = me.get(url, {"stage": "after"}).content.decode()
    assert "更新清单" in page and "cases/start.js" in page
    # only the car item: return date appears, its three materials are listed
    response = me.post(
        url,
        {
            "stage": "after",
            "items": ["duty-free-car"],
            "op": "refresh",
            "idempotency_key": "keep-me",
            "form_phone": "13111111111",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and not Application.objects.exists()
    assert 'id="f-return_date"' in body and 'id="f-school"' not in body
    assert 'data-code="return_certificate"' in body and 'data-code="id_card"' not in body
    assert 'value="13111111111"' in body and 'value="keep-me"' in body
    # entry-exit records instead: its fields and materials, no return date
    body = me.post(
        url, {"stage": "after", "items": ["entry-exit-records"], "op": "refresh"}
    ).content.decode()
    assert 'id="f-return_date"' not in body and 'data-code="id_card"' in body


# --------------------------------------------------------------------------- #
# Supervision: 整改回复 and 回访记录
# --------------------------------------------------------------------------- #


@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False)
def test_supervisor_replies_and_records_return_visits_rates_follow(
    bundles: Any, person: Any, staff: Any
) -> None:
    application = file_after(bundles["weihai-study-abroad"], person)
    for sc in application.subcases.all():
        who = staff["hrss"] if sc.department.code == "wh-hrss" else staff["police"]
        for fn, kw in (
            (services.subcase_accept, {}),
            (services.subcase_approve, {}),
            (services.subcase_complete, {"result_number": "R-1"}),
        ):
            sc = _act(sc, fn, who, **kw)
    application.refresh_from_db()
    hrss = application.subcases.get(department__code="wh-hrss")
    services.rating_submit(
        application=application,
        actor=person,
        level=RatingLevel.VERY_DISSATISFIED,
        comment="等太久",
        subcase=hrss,
    )
    task = RectificationTask.objects.get()
    visit = ReturnVisit.objects.get()
    boss = client_for(staff["hrss_boss"])
    url = reverse("cases:supervision")
    page = boss.get(url).content.decode()
    assert "整改回复" in page and "回访记录" in page and "0/1" in page
    # not reached: recorded, still pending, a reason is required
    assert (
        "未联系上时请说明情况"
        in boss.post(
            url, {"op": "visit", "id": str(visit.uuid), "reached": "no"}, follow=True
        ).content.decode()
    )
    boss.post(url, {"op": "visit", "id": str(visit.uuid), "reached": "no", "note": "无人接听"})
    visit.refresh_from_db()
    assert visit.status == ReturnVisitStatus.PENDING and visit.reached is False
    # reached, with the satisfaction after the visit
    boss.post(
        url,
        {
            "op": "visit",
            "id": str(visit.uuid),
            "reached": "yes",
            "satisfaction": RatingLevel.SATISFIED,
            "note": "已解释原因",
        },
    )
    visit.refresh_from_db()
    assert visit.status == ReturnVisitStatus.DONE and visit.satisfaction == RatingLevel.SATISFIED
    assert {e.action for e in audit_events_for(subject=visit)} == {"visit", "visit_unreached"}
    # reply to the rectification
    boss.post(url, {"op": "reply", "id": str(task.uuid), "reply": "已优化审核流程"})
    task.refresh_from_db()
    assert task.status == RectificationStatus.REPLIED and task.replied_by == staff["hrss_boss"]
    # the rates: 1/1 each (100 %)
    page = boss.get(url).content.decode()
    assert "回访率：1/1（100%）" in page and "整改答复率：1/1（100%）" in page
    # a second reply is refused; a specialist who is not a supervisor has no board
    page = boss.post(
        url, {"op": "reply", "id": str(task.uuid), "reply": "again"}, follow=True
    ).content.decode()
    assert "该整改已答复" in page
    assert client_for(staff["hrss"]).get(url).status_code == 404
    # the police supervisor may not touch the hrss task
    police_boss = make_user("policeboss", Role.DEPARTMENT_SPECIALIST)
    services.membership_set(
        user=police_boss, department=staff["police"].department, supervisor=True
    )
    response = client_for(police_boss).post(
        url, {"op": "reply", "id": str(task.uuid), "reply": "x"}
    )
    assert response.status_code == 404


# --------------------------------------------------------------------------- #
# Performance: what one step costs, guarantees kept
# --------------------------------------------------------------------------- #


def test_a_department_step_costs_a_bounded_number_of_queries(
    bundles: Any, person: Any, staff: Any, django_assert_max_num_queries: Any
) -> None:
    application = file_after(bundles["weihai-study-abroad"], person)
    sc = application.subcases.select_related("department").get(department__code="wh-hrss")
    # lock + siblings + update + event + guardians + inbox message (with its savepoint)
    # + the queued deliveries (the e-mail copy; the SMS notice, its check, its delivery)
    with django_assert_max_num_queries(17):
        sc = services.subcase_accept(subcase=sc, actor=staff["hrss"], expected_version=sc.version)
    assert sc.status == SubCaseStatus.ACCEPTED and sc.version == 1
    # the in-memory row equals the stored one (no re-read needed)
    stored = SubCase.objects.get(pk=sc.pk)
    assert (stored.status, stored.version, stored.assignee_id) == (
        sc.status,
        sc.version,
        staff["hrss"].pk,
    )
    # a stale copy still conflicts (409)
    stale = SubCase.objects.get(pk=sc.pk)
    services.subcase_approve(subcase=sc, actor=staff["hrss"], expected_version=sc.version)
    from talentport.cases.errors import CaseError

    with pytest.raises(CaseError) as err:
        services.subcase_approve(subcase=stale, actor=staff["hrss"], expected_version=1)
    assert err.value.status == 409
    assert audit_events_for(subject=stale).filter(action="approve").count() == 1


def test_sequential_steps_activate_from_the_locked_rows(bundles: Any) -> None:
    from tests.cases.conftest import specialist

    employee = make_user("dr-li")
    employer_user = make_user("acme3", Role.EMPLOYER)
    services.employee_consent_grant(employee=employee, employer_username="acme3")
    application, _ = services.application_create(
        bundle=bundles["liaocheng-medical-care-card"],
        stage="after",
        applicant=employee,
        actor=employer_user,
        form_data=LC_FORM,
    )
    upload_all(application, employer_user)
    application = services.application_submit(application=application, actor=employer_user)
    subs = {sc.department.code: sc for sc in application.subcases.all()}
    # the submit journal: one create event per sub-case, inserted at once
    for sc in subs.values():
        assert audit_events_for(subject=sc).filter(action="create").count() == 1
    steps = [
        ("lc-one-stop-county", specialist("lc-one-stop-county", "c1")),
        ("lc-one-stop", specialist("lc-one-stop", "c2")),
        ("lc-health-care-office", specialist("lc-health-care-office", "c3")),
    ]
    for code, who in steps:
        sc = SubCase.objects.get(pk=subs[code].pk)
        assert sc.status == SubCaseStatus.SUBMITTED and sc.due_date is not None, code
        for fn, kw in (
            (services.subcase_accept, {}),
            (services.subcase_approve, {}),
            (services.subcase_complete, {"result_number": "N-" + code}),
        ):
            sc = _act(sc, fn, who, **kw)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED
    assert audit_events_for(subject=application).filter(action="rollup").count() == 1
