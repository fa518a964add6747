"""Archive claims that can't be guessed (issue 8, "Why" 3): a second factor (an SMS code
to the phone the school gave, or the claim code of the hand-over list), one answer
whether a file exists or not, and limits per account, per IP and per file."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from talentport.archives import services
from talentport.archives.models import ArchiveClaimCode, ArchiveEvent, ArchiveFile
from talentport.common.models import AuditEvent
from talentport.notify.sms import LocmemSmsBackend
from tests.archives.conftest import make_id

pytestmark = pytest.mark.django_db

CLAIM = "/api/v1/archives/claims/"
MINOR_ID = make_id(birth="20120315", serial=71)
OTHER_ID = make_id(birth="20110101", serial=72)
NO_PHONE_ID = make_id(birth="20100505", serial=73)
NOBODY_ID = make_id(birth="20090909", serial=74)  # valid number, no file
PHONE = "13812345678"
REFUSED = {
    "errors": [
        {
            "field": "code",
            "code": "claim_refused",
            "message": "信息或验证码不正确，或档案无法认领；如有疑问请联系学校或档案窗口",
        }
    ]
}


@pytest.fixture(autouse=True)
def _sms(settings: Any) -> Any:
    settings.SMS_BACKEND = "talentport.notify.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def files(import_rows: Any, make_user: Any) -> dict[str, ArchiveFile]:
    """小明 (a minor, guardian phone given), 小红 (already claimed by someone), 小刚 (no phone)."""
    import_rows(
        [
            ["小明", MINOR_ID, "初三（1）班", "王芳", PHONE],
            ["小红", OTHER_ID, "初三（1）班", "李强", "13900001111"],
            ["小刚", NO_PHONE_ID, "初三（2）班"],
        ]
    )
    by_name = {f.name: f for f in ArchiveFile.objects.all()}
    owner = make_user("owner")
    services.archive_claim(
        user=owner, id_card=OTHER_ID, name="小红", code=by_name["小红"].claim_code_pending or ""
    )
    return {f.name: f for f in ArchiveFile.objects.all()}


def _post(client: Any, body: dict[str, Any], ip: str = "203.0.113.1") -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the SMS leaves after commit
        return client.post(CLAIM, body, content_type="application/json", REMOTE_ADDR=ip)


def _sms_code(outbox: list[tuple[str, str]]) -> str:
    phone, text = outbox[-1]
    found = re.search(r"验证码 (\d{6})", text)
    assert found is not None, text
    return found.group(1)


# --------------------------------------------------------------------------- #
# Step 1: one answer, a code only where a file really matches
# --------------------------------------------------------------------------- #


def test_step_one_answers_the_same_whether_or_not_a_file_exists(
    client: Any, files: Any, make_user: Any, _sms: Any
) -> None:
    # given
    client.force_login(make_user("xiaoming"))
    asks = {
        "match": {"name": "小明", "id_card": MINOR_ID},
        "no such file": {"name": "小明", "id_card": NOBODY_ID},
        "wrong name": {"name": "小红", "id_card": MINOR_ID},
        "claimed by another account": {"name": "小红", "id_card": OTHER_ID},
        "no phone on the list": {"name": "小刚", "id_card": NO_PHONE_ID},
    }

    # when
    answers = {what: _post(client, body) for what, body in asks.items()}

    # then: the same status and the same body every time (nothing tells a file exists)
    expected = answers["match"]
    assert expected.status_code == 202
    assert expected.json()["status"] == "code_sent"
    assert "验证码" in expected.json()["message"]
    for what, answer in answers.items():
        assert (answer.status_code, answer.content) == (expected.status_code, expected.content), (
            what
        )
    # and only the real match got an SMS, to the phone the school gave
    assert [phone for phone, _ in _sms] == [PHONE]
    assert "xiaoming" in _sms[0][1] and "10 分钟" in _sms[0][1]


def test_the_sms_code_is_stored_hashed_and_expires(
    client: Any, files: Any, make_user: Any, _sms: Any
) -> None:
    # given
    student = make_user("xiaoming")
    client.force_login(student)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        _post(client, {"name": "小明", "id_card": MINOR_ID})
    code = _sms_code(_sms)

    # then: only a keyed hash in the table, and one live code per file and account
    row = ArchiveClaimCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at == dt.datetime(2026, 3, 1, 9, 10, tzinfo=dt.UTC)
    # the SMS went through the outbox: its text (with the code) and the phone are kept
    # encrypted, never in clear, in any column of the delivery or its notice
    from django.db import connection

    from talentport.notify.models import Delivery

    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and delivery.quiet_exempt
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.*, n.* FROM notify_delivery d JOIN notify_notice n ON n.id = d.notice_id"
        )
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert code not in stored and PHONE not in stored
    assert delivery.secret_text is not None and code in delivery.secret_text

    # when: it is used eleven minutes later
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 11, tzinfo=dt.UTC), tick=False):
        late = _post(client, {"name": "小明", "id_card": MINOR_ID, "code": code})

    # then
    assert late.status_code == 400 and late.json() == REFUSED
    assert ArchiveFile.objects.get(pk=files["小明"].pk).student is None


def test_the_sms_code_binds_the_file_and_is_journaled(
    client: Any, files: Any, make_user: Any, _sms: Any
) -> None:
    # given
    student = make_user("xiaoming")
    client.force_login(student)
    _post(client, {"name": "小明", "id_card": MINOR_ID})
    code = _sms_code(_sms)

    # when
    ok = _post(client, {"name": "小明", "id_card": MINOR_ID, "code": code})

    # then
    assert ok.status_code == 200
    assert ok.json()["relation"] == "student" and ok.json()["name"] == "小明"
    file = ArchiveFile.objects.get(pk=files["小明"].pk)
    assert file.student == student
    linked = ArchiveEvent.objects.get(file=file, action="student_linked")
    assert linked.data["via"] == "sms" and linked.actor == student
    assert AuditEvent.objects.filter(action="archives.student_linked").exists()
    # the code is spent; claiming again as the owner returns the same file
    again = _post(client, {"name": "小明", "id_card": MINOR_ID, "code": code})
    assert again.status_code == 200 and again.json()["id"] == str(file.uuid)


# --------------------------------------------------------------------------- #
# Step 2: one refusal for every failure
# --------------------------------------------------------------------------- #


def test_every_failed_claim_gets_one_and_the_same_answer(
    client: Any, files: Any, make_user: Any
) -> None:
    # given: codes that would be right for their own file
    xiaoming_code = files["小明"].claim_code_pending
    client.force_login(make_user("someone"))
    attempts = {
        "no such file": {"name": "小明", "id_card": NOBODY_ID, "code": xiaoming_code},
        "wrong name": {"name": "小刚", "id_card": MINOR_ID, "code": xiaoming_code},
        "wrong code": {"name": "小明", "id_card": MINOR_ID, "code": "ABCDEFGH"},
        "no SMS code asked for": {"name": "小明", "id_card": MINOR_ID, "code": "123456"},
        "code of another file": {
            "name": "小刚",
            "id_card": NO_PHONE_ID,
            "code": xiaoming_code,
        },
        "claimed by another account": {"name": "小红", "id_card": OTHER_ID, "code": "ABCDEFGH"},
    }

    # when
    answers = {what: _post(client, body) for what, body in attempts.items()}

    # then
    for what, answer in answers.items():
        assert answer.status_code == 400, what
        assert answer.json() == REFUSED, what
    assert not ArchiveFile.objects.filter(name__in=["小明", "小刚"], student__isnull=False).exists()


def test_the_hand_over_code_binds_once(client: Any, files: Any, make_user: Any) -> None:
    # given
    code = files["小明"].claim_code_pending
    assert code is not None and re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code)
    student = make_user("xiaoming")
    client.force_login(student)

    # when: typed as printed, in lower case with a space
    ok = _post(
        client, {"name": "小明", "id_card": MINOR_ID, "code": f"{code[:4].lower()} {code[4:]}"}
    )

    # then: bound, and the code is spent
    assert ok.status_code == 200
    file = ArchiveFile.objects.get(pk=files["小明"].pk)
    assert file.student == student and file.claim_code_index == ""
    assert ArchiveEvent.objects.get(file=file, action="student_linked").data["via"] == (
        "handover_code"
    )
    client.force_login(make_user("late"))
    assert _post(client, {"name": "小明", "id_card": MINOR_ID, "code": code}).json() == REFUSED


# --------------------------------------------------------------------------- #
# Limits: per account, per IP, per file
# --------------------------------------------------------------------------- #


def test_the_334_guess_attack_is_stopped_after_the_limit(
    client: Any, files: Any, make_user: Any, throttle_rates: Any
) -> None:
    # given: the real limits, and one account guessing ID numbers, names and codes
    throttle_rates(archive_claim="10/hour", archive_claim_ip="30/hour")
    client.force_login(make_user("attacker"))
    guesses = [
        {
            "name": ["小明", "小红", "小刚", "张三"][i % 4],
            "id_card": make_id(birth="20120315", serial=i % 999 + 1),
            "code": f"{i:06d}" if i % 2 else "ABCDEFGH",
        }
        for i in range(334)
    ]

    # when
    statuses = [_post(client, guess).status_code for guess in guesses]

    # then: ten answers, then 429 for the rest; nothing bound
    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}
    assert ArchiveFile.objects.filter(student__isnull=False).count() == 1  # 小红's owner only
    throttled = _post(client, guesses[0])
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["errors"][0]["code"] == "throttled"
    assert throttled.json()["errors"][0]["message"].startswith("请求过于频繁")


def test_one_ip_cannot_spread_guesses_over_many_accounts(
    client: Any, files: Any, make_user: Any, throttle_rates: Any
) -> None:
    # given
    throttle_rates(archive_claim="10/hour", archive_claim_ip="30/hour")
    statuses = []

    # when: 40 accounts, one attempt each, all from the same address
    for i in range(40):
        client.force_login(make_user(f"sock{i}"))
        body = {"name": "小明", "id_card": make_id(serial=i + 100), "code": "ABCDEFGH"}
        statuses.append(_post(client, body, ip="198.51.100.7").status_code)

    # then
    assert statuses[:30] == [400] * 30 and set(statuses[30:]) == {429}


def test_guessing_codes_for_a_known_file_never_binds_it(
    client: Any, files: Any, make_user: Any
) -> None:
    # given: an attacker who knows 小明's name and ID number, with many accounts and
    # addresses (so neither the account nor the IP limit stops them)
    right_code = files["小明"].claim_code_pending
    answers = []

    # when: five wrong codes, then the right one
    for i in range(5):
        client.force_login(make_user(f"guess{i}"))
        body = {"name": "小明", "id_card": MINOR_ID, "code": f"WRONG{i:03d}"}
        answers.append(_post(client, body, ip=f"192.0.2.{i + 1}").status_code)
    client.force_login(make_user("lucky"))
    last = _post(client, {"name": "小明", "id_card": MINOR_ID, "code": right_code}, ip="192.0.2.99")

    # then: the file is locked for an hour, even for the right code; nothing bound
    assert answers == [400] * 5
    assert last.status_code == 429 and int(last["Retry-After"]) > 0
    assert "分钟后再试" in last.json()["errors"][0]["message"]
    assert ArchiveFile.objects.get(pk=files["小明"].pk).student is None
    # and step 1 for that ID number is locked too (sends nothing)
    assert _post(client, {"name": "小明", "id_card": MINOR_ID}).status_code == 429


def test_guesses_with_a_wrong_name_count_against_the_file(
    client: Any, files: Any, make_user: Any
) -> None:
    # given
    client.force_login(make_user("guesser"))
    for i in range(5):
        body = {"name": f"名字{i}", "id_card": MINOR_ID, "code": "ABCDEFGH"}
        assert _post(client, body, ip=f"192.0.2.{i + 1}").status_code == 400

    # when
    right = {"name": "小明", "id_card": MINOR_ID, "code": files["小明"].claim_code_pending}
    answer = _post(client, right, ip="192.0.2.50")

    # then
    assert answer.status_code == 429


def test_at_most_three_codes_per_id_number_an_hour(
    client: Any, files: Any, make_user: Any, _sms: Any
) -> None:
    # given
    student = make_user("xiaoming")
    client.force_login(student)

    # when
    real = [_post(client, {"name": "小明", "id_card": MINOR_ID}).status_code for _ in range(4)]
    none = [_post(client, {"name": "小明", "id_card": NOBODY_ID}).status_code for _ in range(4)]

    # then: the same limit whether a file exists or not; three messages sent
    assert real == [202, 202, 202, 429] and none == [202, 202, 202, 429]
    assert len(_sms) == 3
    assert ArchiveClaimCode.objects.count() == 1  # one live code per file and account
    with time_machine.travel(dt.timedelta(hours=1, minutes=1)):
        client.force_login(student)
        assert _post(client, {"name": "小明", "id_card": MINOR_ID}).status_code == 202


def test_the_client_ip_is_read_behind_the_configured_proxies(
    client: Any, files: Any, make_user: Any, throttle_rates: Any, settings: Any
) -> None:
    # given: the IP limit at 2 an hour, no trusted proxy (the default)
    throttle_rates(archive_claim="100/hour", archive_claim_ip="2/hour")
    body = {"name": "小明", "id_card": NOBODY_ID, "code": "ABCDEFGH"}

    def attempt(user: str, forwarded: str) -> int:
        client.force_login(make_user(user))
        response = client.post(
            CLAIM,
            body,
            content_type="application/json",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        return int(response.status_code)

    # then: a forged X-Forwarded-For does not make a new client
    assert [attempt(f"a{i}", f"203.0.113.{i}") for i in range(3)] == [400, 400, 429]

    # when: one trusted proxy in front, which appends the real client address
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    # then: the address the proxy saw is the client, whatever the client forged before it
    assert attempt("b1", "10.9.9.9, 198.51.100.1") == 400
    assert attempt("b2", "10.9.9.8, 198.51.100.1") == 400
    assert attempt("b3", "10.9.9.7, 198.51.100.1") == 429
    assert attempt("c1", "10.9.9.9, 198.51.100.2") == 400


# --------------------------------------------------------------------------- #
# The page /archives/my/
# --------------------------------------------------------------------------- #


def test_the_page_offers_the_same_two_steps(
    client: Any, files: Any, make_user: Any, _sms: Any
) -> None:
    # given
    client.force_login(make_user("xiaoming"))
    url = reverse("archives:my_files")
    page = client.get(url).content.decode()
    assert 'data-testid="claim-form"' in page and "发送验证码" in page

    # when: step 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = client.post(url, {"op": "send", "name": "小明", "id_card": MINOR_ID})

    # then: the one answer, and a code on the phone
    assert sent.status_code == 200
    assert "如果信息与学校交接名单一致" in sent.content.decode()
    code = _sms_code(_sms)

    # when: a wrong code, then the right one
    wrong = client.post(url, {"op": "claim", "name": "小明", "id_card": MINOR_ID, "code": "000000"})
    right = client.post(url, {"op": "claim", "name": "小明", "id_card": MINOR_ID, "code": code})

    # then: the refusal sits next to the code field; the right code binds
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["code"] == [services.claim_refused_message()]
    assert right.status_code == 302
    assert ArchiveFile.objects.get(pk=files["小明"].pk).student is not None


def test_the_page_shares_the_api_limits(
    client: Any, files: Any, make_user: Any, throttle_rates: Any
) -> None:
    # given
    throttle_rates(archive_claim="3/hour", archive_claim_ip="30/hour")
    client.force_login(make_user("pager"))
    body = {"op": "claim", "name": "小明", "id_card": NOBODY_ID, "code": "ABCDEFGH"}

    # when
    pages = [client.post(reverse("archives:my_files"), body).status_code for _ in range(3)]
    api = _post(client, {"name": "小明", "id_card": NOBODY_ID, "code": "ABCDEFGH"})

    # then
    assert pages == [400, 400, 400] and api.status_code == 429
    page = client.post(reverse("archives:my_files"), body)
    assert page.status_code == 429 and "请求过于频繁" in page.content.decode()


def test_the_page_in_english(client: Any, files: Any, make_user: Any) -> None:
    client.force_login(make_user("xiaoming"))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("archives:my_files")).content.decode()
    assert "Send code" in page and "Claim my file" in page


# --------------------------------------------------------------------------- #
# Staff: the hand-over list and regenerated codes
# --------------------------------------------------------------------------- #


def _handover(client: Any, batch: Any) -> list[tuple[Any, ...]]:
    response = client.post(reverse("archives:batch_handover", args=[batch.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_the_hand_over_list_shows_each_code_once(
    client: Any, files: Any, staff: Any, make_user: Any
) -> None:
    # given
    client.force_login(staff)
    batch = files["小明"].batch
    pending = {f.name: f.claim_code_pending for f in ArchiveFile.objects.all()}

    # when
    first = _handover(client, batch)
    second = _handover(client, batch)

    # then: the codes once (claimed 小红 gets none), then only that they were handed out
    codes = {row[1]: row[3] for row in first}
    assert codes["小明"] == pending["小明"] and codes["小刚"] == pending["小刚"]
    assert codes["小红"].startswith("（") and all(r[3].startswith("（") for r in second)
    assert first[0][2] == files["小明"].id_card_masked
    assert AuditEvent.objects.filter(action="archives.handover_list_downloaded").count() == 2
    # no clear code is left anywhere in the table, yet the printed code still works
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM archives_archivefile")
        dump = repr(cursor.fetchall())
    assert pending["小明"] not in dump and pending["小刚"] not in dump
    client.force_login(make_user("xiaoming"))
    ok = _post(client, {"name": "小明", "id_card": MINOR_ID, "code": pending["小明"]})
    assert ok.status_code == 200


def test_staff_regenerate_a_code_and_the_old_one_stops_working(
    client: Any, files: Any, staff: Any, make_user: Any
) -> None:
    # given
    old = files["小明"].claim_code_pending
    client.force_login(staff)

    # when
    page = client.post(reverse("archives:file_claim_code", args=[files["小明"].uuid]))

    # then: shown once on the page, not cached, journaled and audited
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    new = page.context["code"]
    assert new != old and new in page.content.decode()
    file = ArchiveFile.objects.get(pk=files["小明"].pk)
    assert file.claim_code_pending is None
    assert ArchiveEvent.objects.filter(file=file, action="claim_code_regenerated").exists()
    assert AuditEvent.objects.filter(action="archives.claim_code_regenerated").exists()
    detail = client.get(reverse("archives:file_detail", args=[file.uuid])).content.decode()
    assert new not in detail

    # and for the student: the old code is refused, the new one binds
    client.force_login(make_user("xiaoming"))
    assert _post(client, {"name": "小明", "id_card": MINOR_ID, "code": old}).status_code == 400
    assert _post(client, {"name": "小明", "id_card": MINOR_ID, "code": new}).status_code == 200


def test_only_staff_handle_claim_codes(client: Any, files: Any, make_user: Any) -> None:
    client.force_login(make_user("student"))
    batch = files["小明"].batch
    assert client.post(reverse("archives:batch_handover", args=[batch.uuid])).status_code in (
        302,
        403,
        404,
    )
    assert client.post(
        reverse("archives:file_claim_code", args=[files["小明"].uuid])
    ).status_code in (302, 403, 404)
    assert ArchiveFile.objects.get(pk=files["小明"].pk).claim_code_pending is not None


def test_claim_attempts_show_in_the_staff_journal_not_the_family_one(
    client: Any, files: Any, make_user: Any, staff: Any
) -> None:
    # given: a code sent and a wrong code tried for 小明
    client.force_login(make_user("xiaoming"))
    _post(client, {"name": "小明", "id_card": MINOR_ID})
    _post(client, {"name": "小明", "id_card": MINOR_ID, "code": "999999"})

    # then
    from talentport.archives import selectors

    file = files["小明"]
    staff_labels = [e["label"] for e in selectors.archive_timeline(file=file)]
    family_labels = [e["label"] for e in selectors.archive_timeline(file=file, family=True)]
    assert "发送认领验证码" in staff_labels and "认领未通过" in staff_labels
    assert "认领未通过" not in family_labels
