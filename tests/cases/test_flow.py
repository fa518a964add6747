"""一件事: apply once, parallel departments, corrections, closing, ratings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from talentport.cases import services
from talentport.cases.errors import CaseError, CaseErrorCode
from talentport.cases.models import (
    Application,
    ApplicationStatus,
    RatingLevel,
    RectificationTask,
    ReturnVisit,
    SubCase,
    SubCaseStatus,
)
from talentport.common.models import AuditEvent
from talentport.common.selectors import audit_events_for
from talentport.notify.models import Message
from talentport.notify.sms import LocmemSmsBackend
from tests.cases.conftest import AFTER_ITEMS, FORM, PDF, file_after, upload_all

pytestmark = pytest.mark.django_db


def test_bundles_load_idempotently_and_version_on_change(bundles: Any) -> None:
    weihai = bundles["weihai-study-abroad"]
    stages = {s: weihai.items.filter(stage=s).count() for s in ("before", "abroad", "after")}
    assert stages == {"before": 9, "abroad": 1, "after": 20}
    assert weihai.items.get(key="entry-exit-records").department.code == "wh-police"
    # when loading again, nothing changes
    report = services.bundle_load()
    assert report.created == [] and report.updated == []
    # when an administrator edits an item, the version goes up
    item = weihai.items.get(key="passport")
    item.promised_limit_days = 5
    item.save()
    services.bundle_touch(bundle=weihai)
    weihai.refresh_from_db()
    assert weihai.version == 2


def test_checklist_is_the_union_of_fields_and_materials(bundles: Any, person: Any) -> None:
    data = services.bundle_checklist(
        bundle=bundles["weihai-study-abroad"], stage="after", person=person, selected=AFTER_ITEMS
    )
    codes = [m["code"] for m in data["materials"]]
    assert codes.count("passport") == 1  # used by both items, asked once
    passport = next(m for m in data["materials"] if m["code"] == "passport")
    assert len(passport["items"]) == 2
    name = next(f for f in data["fields"] if f["key"] == "name")
    assert name["value"] == "李爱丽"  # prefilled from the account


@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
def test_submit_splits_per_department_with_due_dates(
    bundles: Any, person: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the SMS leaves after commit
        application = file_after(bundles["weihai-study-abroad"], person)
    assert application.status == ApplicationStatus.PROCESSING
    assert application.number and application.number.startswith("YJS20260302")
    subs = {sc.department.code: sc for sc in application.subcases.all()}
    assert set(subs) == {"wh-hrss", "wh-police"}
    # 10 working days after Monday 2026-03-02 is Monday 2026-03-16
    assert subs["wh-hrss"].due_date == dt.date(2026, 3, 16)
    assert subs["wh-hrss"].due_provisional is False
    assert Message.objects.filter(recipient=person, kind="case_update").exists()
    assert LocmemSmsBackend.outbox and LocmemSmsBackend.outbox[-1][0] == FORM["phone"]


def test_idempotency_key_creates_one_application(bundles: Any, person: Any) -> None:
    a = file_after(bundles["weihai-study-abroad"], person, key="k-1")
    b, created = services.application_file(
        bundle=bundles["weihai-study-abroad"],
        stage="after",
        applicant=person,
        actor=person,
        selected_items=AFTER_ITEMS,
        form_data=FORM,
        idempotency_key="k-1",
    )
    assert not created and a.pk == b.pk
    assert Application.objects.count() == 1
    assert SubCase.objects.count() == 2
    # submitting the same application again changes nothing
    services.application_submit(application=a, actor=person)
    assert SubCase.objects.count() == 2


def test_missing_material_blocks_submission(bundles: Any, person: Any) -> None:
    application, _ = services.application_create(
        bundle=bundles["weihai-study-abroad"],
        stage="after",
        applicant=person,
        actor=person,
        selected_items=AFTER_ITEMS,
        form_data=FORM,
    )
    with pytest.raises(CaseError) as err:
        services.application_submit(application=application, actor=person)
    assert err.value.code == CaseErrorCode.MATERIAL_MISSING


def test_library_and_degree_are_reused(bundles: Any, person: Any) -> None:
    first = file_after(bundles["weihai-study-abroad"], person)
    uploads = AuditEvent.objects.filter(action="material_upload").count()
    # a second application needs the same materials: nothing uploaded again
    again, _ = services.application_create(
        bundle=bundles["weihai-study-abroad"],
        stage="after",
        applicant=person,
        actor=person,
        selected_items=AFTER_ITEMS,
        form_data=FORM,
    )
    services.application_submit(application=again, actor=person)
    assert again.pk != first.pk
    assert AuditEvent.objects.filter(action="material_upload").count() == uploads
    # a confirmed degree stands in for the degree certificates (学历汇)
    services.degree_confirm(owner=person, actor=person, data={"school": "UoE", "degree": "master"})
    missing = services.application_missing(application=again)
    assert not [m for m in missing if "degree" in m["field"]]


def _act(sc: SubCase, fn: Any, actor: Any, **kw: Any) -> SubCase:
    sc.refresh_from_db()
    result: SubCase = fn(subcase=sc, actor=actor, expected_version=sc.version, **kw)
    return result


@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False)
def test_parallel_processing_correction_close_and_rate(
    bundles: Any, person: Any, staff: Any
) -> None:
    application = file_after(bundles["weihai-study-abroad"], person)
    hrss = application.subcases.get(department__code="wh-hrss")
    police = application.subcases.get(department__code="wh-police")
    due_before = police.due_date
    # police asks for a correction, the clock pauses
    _act(police, services.subcase_accept, staff["police"])
    _act(
        police,
        services.subcase_request_correction,
        staff["police"],
        entries=[{"field": "passport", "message": "护照出入境页不清晰"}],
        message="请重新上传",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTION
    # hrss works in parallel
    _act(hrss, services.subcase_accept, staff["hrss"])
    _act(hrss, services.subcase_approve, staff["hrss"])
    _act(hrss, services.subcase_complete, staff["hrss"], result_number="WH-RZ-2026-0001")
    # three working days later the person answers: due date moves by 3
    with time_machine.travel(dt.datetime(2026, 3, 5, 10, tzinfo=dt.UTC), tick=False):
        police.refresh_from_db()
        services.subcase_answer_correction(subcase=police, actor=person, answer="已重新上传")
    police.refresh_from_db()
    assert police.status == SubCaseStatus.ACCEPTED
    assert police.paused_days == 3
    assert due_before is not None and police.due_date == dt.date(2026, 3, 10)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PROCESSING
    _act(police, services.subcase_approve, staff["police"])
    _act(police, services.subcase_complete, staff["police"], result_number="CRJ-0002")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CLOSED
    # audit trail: every transition an event with from/to
    events = list(audit_events_for(subject=police).order_by("id"))  # clock travelled
    assert [e.action for e in events] == [
        "create",
        "accept",
        "request_correction",
        "answer_correction",
        "approve",
        "complete",
    ]
    assert events[2].from_state == "accepted" and events[2].to_state == "correction"
    # ratings: a bad department rating opens rectification + return visit
    services.rating_submit(application=application, actor=person, level=RatingLevel.SATISFIED)
    services.rating_submit(
        application=application,
        actor=person,
        level=RatingLevel.DISSATISFIED,
        indicators={"efficiency": RatingLevel.DISSATISFIED},
        comment="补正来回太久",
        subcase=police,
    )
    task = RectificationTask.objects.get()
    assert task.department.code == "wh-police"
    assert task.due_date == dt.date(2026, 3, 23)  # 15 working days after 2026-03-02
    assert ReturnVisit.objects.count() == 1
    with pytest.raises(CaseError) as err:
        services.rating_submit(application=application, actor=person, level=RatingLevel.SATISFIED)
    assert err.value.code == CaseErrorCode.ALREADY_RATED


def test_stale_version_conflicts_and_disallowed_transition(
    bundles: Any, person: Any, staff: Any
) -> None:
    application = file_after(bundles["weihai-study-abroad"], person)
    sc = application.subcases.get(department__code="wh-hrss")
    stale = sc.version
    services.subcase_accept(subcase=sc, actor=staff["hrss"], expected_version=stale)
    sc.refresh_from_db()
    with pytest.raises(CaseError) as err:
        services.subcase_approve(subcase=sc, actor=staff["hrss2"], expected_version=stale)
    assert err.value.code == CaseErrorCode.CONFLICT and err.value.status == 409
    with pytest.raises(CaseError) as err:
        services.subcase_complete(
            subcase=sc, actor=staff["hrss"], expected_version=sc.version, result_number="X"
        )
    assert err.value.code == CaseErrorCode.TRANSITION_NOT_ALLOWED
    assert "办理中" in err.value.message
    with pytest.raises(CaseError) as err:
        services.subcase_accept(subcase=sc, actor=staff["police"], expected_version=sc.version)
    assert err.value.code == CaseErrorCode.FORBIDDEN


def test_lost_update_is_impossible_with_the_same_read(
    bundles: Any, person: Any, staff: Any
) -> None:
    application = file_after(bundles["weihai-study-abroad"], person)
    first = application.subcases.get(department__code="wh-hrss")
    second = SubCase.objects.get(pk=first.pk)  # the other specialist read the same row
    services.subcase_accept(subcase=first, actor=staff["hrss"], expected_version=first.version)
    with pytest.raises(CaseError) as err:
        services.subcase_reject(
            subcase=second, actor=staff["hrss2"], expected_version=None, reason="x"
        )
    assert err.value.status == 409
    first.refresh_from_db()
    assert first.status == SubCaseStatus.ACCEPTED and first.assignee == staff["hrss"]


def test_sla_tick_reminds_and_escalates_once(bundles: Any, person: Any, staff: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        application = file_after(bundles["weihai-study-abroad"], person)
    sc = application.subcases.get(department__code="wh-hrss")  # due 2026-03-16, 10 days
    police = application.subcases.get(department__code="wh-police")  # due 2026-03-05, 3 days
    assert services.sla_tick(today=dt.date(2026, 3, 4)).reminded == 0  # 2/3 and 2/10 used
    assert services.sla_tick(today=dt.date(2026, 3, 5)).reminded == 1  # police 3/3
    report = services.sla_tick(today=dt.date(2026, 3, 12))  # hrss 8/10, police overdue
    assert (report.reminded, report.escalated) == (1, 1)
    again = services.sla_tick(today=dt.date(2026, 3, 12))
    assert (again.reminded, again.escalated) == (0, 0)
    assert services.sla_tick(today=dt.date(2026, 3, 17)).escalated == 1  # hrss overdue
    assert services.sla_tick(today=dt.date(2026, 3, 18)).escalated == 0
    assert (
        Message.objects.filter(recipient=staff["hrss_boss"], title__startswith="督办").count() == 1
    )
    assert audit_events_for(subject=sc).filter(action="escalate").count() == 1
    assert audit_events_for(subject=police).filter(action="remind").count() == 1
    assert Message.objects.filter(recipient=staff["hrss"], title__startswith="提醒").count() == 1


def test_provisional_due_date_in_unpublished_year(bundles: Any, person: Any) -> None:
    with time_machine.travel(dt.datetime(2031, 12, 24, 10, tzinfo=dt.UTC), tick=False):
        application = file_after(bundles["weihai-study-abroad"], person)
    sc = application.subcases.get(department__code="wh-hrss")
    assert sc.due_provisional is True


def test_liaocheng_card_employer_files_after_consent_steps_in_sequence(bundles: Any) -> None:
    from talentport.catalog.models import Department
    from talentport.people.models import Role
    from tests.cases.conftest import make_user, specialist

    employee = make_user("dr-zhang", display_name="张博士")
    employer = make_user("acme", Role.EMPLOYER)
    bundle = bundles["liaocheng-medical-care-card"]
    form = {
        "name": "张博士",
        "id_number": "371500198001011234",
        "phone": "13900000000",
        "employer_name": "某公司",
        "talent_tier": "急需紧缺人才",
    }
    with pytest.raises(CaseError) as err:
        services.application_create(
            bundle=bundle, stage="after", applicant=employee, actor=employer, form_data=form
        )
    assert err.value.code == CaseErrorCode.CONSENT_MISSING
    services.employee_consent_grant(employee=employee, employer_username="acme")
    application, _ = services.application_create(
        bundle=bundle, stage="after", applicant=employee, actor=employer, form_data=form
    )
    upload_all(application, employer)
    application = services.application_submit(application=application, actor=employer)
    subs = {sc.department.code: sc for sc in application.subcases.all()}
    assert subs["lc-one-stop-county"].status == SubCaseStatus.SUBMITTED
    assert subs["lc-one-stop"].status == SubCaseStatus.WAITING
    assert subs["lc-one-stop"].limit_days == 5 and subs["lc-health-care-office"].limit_days == 10
    submit = AuditEvent.objects.get(action="submit")
    assert submit.actor == employer and submit.on_behalf_of == employee
    county = specialist("lc-one-stop-county", "county1")
    sc = subs["lc-one-stop-county"]
    for fn, kw in (
        (services.subcase_accept, {}),
        (services.subcase_approve, {}),
        (services.subcase_complete, {"result_number": "SL-1"}),
    ):
        sc = _act(sc, fn, county, **kw)
    city = SubCase.objects.get(pk=subs["lc-one-stop"].pk)
    assert city.status == SubCaseStatus.SUBMITTED and city.due_date is not None
    assert Department.objects.filter(code="lc-health-care-office").exists()


def test_upload_checks_magic_bytes_and_size(person: Any, settings: Any) -> None:
    import io
    import zipfile

    with pytest.raises(CaseError) as err:
        services.material_upload(
            owner=person, actor=person, code="id_card", filename="x.pdf", content=b"MZ\x90\x00evil"
        )
    assert err.value.code == CaseErrorCode.FILE_TYPE
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", "<ofd/>")
    f = services.material_upload(
        owner=person, actor=person, code="id_card", filename="a.ofd", content=buf.getvalue()
    )
    assert f.kind == "ofd"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(CaseError):
        services.material_upload(
            owner=person, actor=person, code="id_card", filename="a.docx", content=buf.getvalue()
        )
    settings.MAX_UPLOAD_BYTES = 10
    with pytest.raises(CaseError) as err:
        services.material_upload(
            owner=person, actor=person, code="id_card", filename="a.pdf", content=PDF
        )
    assert err.value.code == CaseErrorCode.FILE_TOO_LARGE
    assert str(services.material_path(material=f)).startswith(str(settings.MEDIA_ROOT))
