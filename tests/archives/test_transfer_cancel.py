"""A transfer request made in error is cancelled, with a reason, back to where it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from talentport.archives import selectors, services
from talentport.archives.errors import ArchiveError, ArchiveErrorCode
from talentport.archives.models import ArchiveEvent, ArchiveFile, ArchiveStatus
from talentport.archives.rules import TransferInput
from talentport.common.models import PiiAccessLog
from talentport.notify.models import Message
from tests.archives.conftest import claim_file, make_id

pytestmark = pytest.mark.django_db

ID = make_id(birth="20120315", serial=51)
UNEMPLOYED = TransferInput(employment_kind="unemployed", hukou_city="青岛市市南区")


@pytest.fixture
def requested(import_rows: Any, staff: Any) -> ArchiveFile:
    import_rows([["小明", ID]])
    file = services.archive_store(file=ArchiveFile.objects.get(), actor=staff)
    file = services.archive_materials_add(file=file, actor=staff, materials="体检表")
    return services.archive_transfer_request(file=file, actor=staff, transfer=UNEMPLOYED)


def test_cancel_goes_back_to_materials_added_and_is_journaled(
    requested: ArchiveFile, staff: Any
) -> None:
    # when
    file = services.archive_transfer_cancel(file=requested, actor=staff, reason="户籍地填写有误")

    # then: back to the state it was requested from, destination cleared
    assert file.status == ArchiveStatus.MATERIALS_ADDED
    assert file.destination_name == "" and file.transfer_requested_at is None
    last = ArchiveEvent.objects.filter(file=file).last()
    assert last is not None
    assert (last.action, last.from_state, last.to_state) == (
        "transfer_cancelled",
        "transfer_requested",
        "materials_added",
    )
    assert "户籍地填写有误" in last.note and last.actor == staff
    assert last.data["cancelled_destination"] == "青岛市市南区公共就业和人才服务机构"
    # nothing deleted: the request is still in the journal, and the family sees both
    actions = [e["action"] for e in selectors.archive_timeline(file=file, family=True)]
    assert actions[-2:] == ["transfer_requested", "transfer_cancelled"]
    # and a new request can follow
    file = services.archive_transfer_request(file=file, actor=staff, transfer=UNEMPLOYED)
    assert file.status == ArchiveStatus.TRANSFER_REQUESTED


def test_cancel_from_stored(import_rows: Any, staff: Any) -> None:
    import_rows([["小明", ID]])
    file = services.archive_store(file=ArchiveFile.objects.get(), actor=staff)
    file = services.archive_transfer_request(file=file, actor=staff, transfer=UNEMPLOYED)
    file = services.archive_transfer_cancel(file=file, actor=staff, reason="本人改变去向")
    assert file.status == ArchiveStatus.STORED


def test_cancel_needs_staff_a_reason_and_a_request_not_yet_dispatched(
    requested: ArchiveFile, staff: Any, make_user: Any
) -> None:
    with pytest.raises(ArchiveError) as exc:
        services.archive_transfer_cancel(file=requested, actor=make_user("s1"), reason="x")
    assert exc.value.code == ArchiveErrorCode.FORBIDDEN
    with pytest.raises(ArchiveError) as exc:
        services.archive_transfer_cancel(file=requested, actor=staff, reason="  ")
    assert exc.value.field == "reason"
    file = services.archive_dispatch(file=requested, actor=staff, courier_number="JY-0001")
    with pytest.raises(ArchiveError) as exc:
        services.archive_transfer_cancel(file=file, actor=staff, reason="晚了")
    assert exc.value.code == ArchiveErrorCode.TRANSITION_NOT_ALLOWED
    assert ArchiveFile.objects.get().status == ArchiveStatus.IN_TRANSIT


def test_family_is_told_of_the_cancellation(
    requested: ArchiveFile, staff: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    student = make_user("xiaoming")
    claim_file(user=student, id_card=ID, name="小明")
    with django_capture_on_commit_callbacks(execute=True):
        services.archive_transfer_cancel(file=requested, actor=staff, reason="户籍地填写有误")
    message = Message.objects.get(recipient=student)
    assert message.title == "档案转递申请已撤销" and "户籍地填写有误" in message.body


def test_staff_page_and_api_cancel(client: Any, requested: ArchiveFile, staff: Any) -> None:
    client.force_login(staff)
    page = client.get(reverse("archives:file_detail", args=[requested.uuid]))
    assert b'data-testid="transfer-cancel-form"' in page.content
    url = reverse("archives:file_transfer_cancel", args=[requested.uuid])
    assert client.post(url, {"reason": ""}).status_code == 302
    assert ArchiveFile.objects.get().status == ArchiveStatus.TRANSFER_REQUESTED
    client.post(url, {"reason": "填写有误"})
    assert ArchiveFile.objects.get().status == ArchiveStatus.MATERIALS_ADDED

    api = f"/api/v1/archives/files/{requested.uuid}/transfer-cancellation/"
    response = client.post(api, {"reason": "再次撤销"}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "transition_not_allowed"
    services.archive_transfer_request(file=requested, actor=staff, transfer=UNEMPLOYED)
    response = client.post(api, {}, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reason"
    logged = PiiAccessLog.objects.count()
    response = client.post(api, {"reason": "去向改变"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "materials_added"
    assert PiiAccessLog.objects.count() == logged + 1  # the detail it answers is a staff read
    assert response.json()["timeline"][-1]["action"] == "transfer_cancelled"
    bad = client.post(
        "/api/v1/archives/files/not-a-uuid/transfer-cancellation/",
        {"reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 404
