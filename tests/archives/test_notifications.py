"""Every step of a file is told to the student and the guardians who may follow it."""

from __future__ import annotations

from typing import Any

import pytest

from talentport.archives import services
from talentport.archives.models import ArchiveFile
from talentport.archives.rules import TransferInput
from talentport.notify.models import Message
from tests.archives.conftest import claim_file, make_id

pytestmark = pytest.mark.django_db

MINOR_ID = make_id(birth="20120315", serial=41)
ADULT_ID = make_id(birth="20010101", serial=42)
UNEMPLOYED = TransferInput(employment_kind="unemployed", hukou_city="青岛市市南区")


def _walk(file: ArchiveFile, staff: Any, capture: Any) -> ArchiveFile:
    steps = [
        lambda f: services.archive_store(file=f, actor=staff),
        lambda f: services.archive_materials_add(file=f, actor=staff, materials="体检表"),
        lambda f: services.archive_transfer_request(file=f, actor=staff, transfer=UNEMPLOYED),
        lambda f: services.archive_dispatch(file=f, actor=staff, courier_number="JY-2025-0099"),
        lambda f: services.archive_deliver(file=f, actor=staff),
    ]
    for step in steps:
        with capture(execute=True):
            file = step(file)
    return file


def test_student_and_minors_guardian_get_every_step(
    import_rows: Any, staff: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a minor's file, claimed by the student, a guardian linked by staff
    import_rows([["小明", MINOR_ID]])
    file = ArchiveFile.objects.get()
    student = make_user("xiaoming")
    parent = make_user("parent", role="guardian")
    stranger = make_user("other", role="guardian")
    claim_file(user=student, id_card=MINOR_ID, name="小明")
    services.guardian_link_create(file=file, guardian=parent, actor=staff)

    # when: staff walk the file to delivered
    _walk(file, staff, django_capture_on_commit_callbacks)

    # then: five messages each, in order, with the courier number; nobody else
    for user in (student, parent):
        titles = list(
            Message.objects.filter(recipient=user)
            .order_by("created_at", "id")
            .values_list("title", flat=True)
        )
        assert titles == [
            "档案已入库",
            "档案已补充材料",
            "档案已申请转递",
            "档案转递中",
            "档案已送达",
        ]
    transit = Message.objects.get(recipient=parent, title="档案转递中")
    assert "JY-2025-0099" in transit.body and "青岛市市南区公共就业和人才服务机构" in transit.body
    assert transit.kind == "general" and str(file.uuid) in transit.link
    assert not Message.objects.filter(recipient=stranger).exists()


def test_adult_guardian_is_told_only_after_consent_and_not_after_revoke(
    import_rows: Any, staff: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: an adult student; staff linked a guardian who awaits consent
    import_rows([["张三", ADULT_ID]])
    file = ArchiveFile.objects.get()
    student = make_user("zhangsan")
    parent = make_user("parent", role="guardian")
    claim_file(user=student, id_card=ADULT_ID, name="张三")
    link = services.guardian_link_create(file=file, guardian=parent, actor=staff)

    # when / then: not consented → nothing for the guardian
    with django_capture_on_commit_callbacks(execute=True):
        file = services.archive_store(file=file, actor=staff)
    assert Message.objects.filter(recipient=student).count() == 1
    assert not Message.objects.filter(recipient=parent).exists()

    # when / then: consented → the next step reaches them
    services.guardian_link_consent(link=link, actor=student)
    with django_capture_on_commit_callbacks(execute=True):
        file = services.archive_materials_add(file=file, actor=staff, materials="成绩单")
    assert Message.objects.filter(recipient=parent).count() == 1

    # when / then: revoked → no more
    services.guardian_link_revoke(link=link, actor=student)
    with django_capture_on_commit_callbacks(execute=True):
        services.archive_transfer_request(file=file, actor=staff, transfer=UNEMPLOYED)
    assert Message.objects.filter(recipient=parent).count() == 1
    assert Message.objects.filter(recipient=student).count() == 3


def test_rerun_never_duplicates(
    import_rows: Any, staff: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given: a delivered file whose student was told every step
    import_rows([["小明", MINOR_ID]])
    file = ArchiveFile.objects.get()
    student = make_user("xiaoming")
    claim_file(user=student, id_card=MINOR_ID, name="小明")
    file = _walk(file, staff, django_capture_on_commit_callbacks)
    assert Message.objects.filter(recipient=student).count() == 5

    # when: the whole journal is sent again (twice)
    first = services.archive_notifications_resend(file=file)
    second = services.archive_notifications_resend(file=file)

    # then: nothing new
    assert (first, second) == (0, 0)
    assert Message.objects.filter(recipient=student).count() == 5


def test_resend_catches_up_a_guardian_linked_later(
    import_rows: Any, staff: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import_rows([["小明", MINOR_ID]])
    file = ArchiveFile.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        file = services.archive_store(file=file, actor=staff)
    assert Message.objects.count() == 0  # nobody linked yet
    parent = make_user("parent", role="guardian")
    services.guardian_link_create(file=file, guardian=parent, actor=staff)
    assert services.archive_notifications_resend(file=file) == 1
    assert services.archive_notifications_resend(file=file) == 0


def test_no_message_when_the_step_is_rolled_back(
    import_rows: Any, staff: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import_rows([["小明", MINOR_ID]])
    file = ArchiveFile.objects.get()
    student = make_user("xiaoming")
    claim_file(user=student, id_card=MINOR_ID, name="小明")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(services.ArchiveError):
            services.archive_deliver(file=file, actor=staff)
    assert not Message.objects.exists()
