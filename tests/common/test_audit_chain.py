"""The audit journal is a hash chain: an edit, insertion or deletion behind the
application's back is found, and named, by ``talentport audit verify``."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory

from talentport.cli import main as cli_main
from talentport.common.audit_chain import (
    GENESIS_HASH,
    SEALED_FIELDS,
    Reason,
    chain_verify,
    row_hash,
)
from talentport.common.models import AuditChainHead, AuditEvent, AuditVerification
from talentport.common.request_context import RequestContextMiddleware
from talentport.common.services import audit_event_record
from talentport.people.models import Role, User

TABLE = AuditEvent._meta.db_table


def _user(username: str = "clerk", role: str = Role.WINDOW_SPECIALIST) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"role": role})
    return user


def _journal(n: int, actor: User | None = None) -> list[AuditEvent]:
    subject = actor or _user()
    return [
        audit_event_record(
            subject=subject,
            action="test.step",
            actor=subject,
            from_state="a",
            to_state="b",
            reason=f"第 {i} 步",
            data={"i": i, "amount": 800.0, "items": ("x", "y"), "nested": {"b": 1, "a": [1.5]}},
        )
        for i in range(1, n + 1)
    ]


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify_command(*args: str) -> tuple[dict[str, Any], int]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return json.loads(out.getvalue().strip().splitlines()[-1]), code


@pytest.mark.django_db
def test_events_are_numbered_and_each_seals_the_one_before() -> None:
    # given / when
    events = _journal(3)

    # then
    start = events[0].seq
    assert [e.seq for e in events] == [start, start + 1, start + 2]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    stored = AuditEvent.objects.get(pk=events[2].pk)
    assert stored.hash == events[2].hash
    assert stored.hash == row_hash({name: getattr(stored, name) for name in SEALED_FIELDS})
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (events[2].seq, events[2].hash)


@pytest.mark.django_db
def test_an_intact_journal_verifies() -> None:
    # given
    events = _journal(5)

    # when
    report, code = _verify_command()

    # then
    assert code == 0
    assert report == {"events": events[-1].seq, "ok": True, "first_bad": None}
    run = AuditVerification.objects.get()
    assert run.ok and run.scope == "full" and run.events == events[-1].seq


@pytest.mark.django_db
def test_a_row_edited_with_raw_sql_is_named_by_verify() -> None:
    # given
    events = _journal(5)
    target = events[2]

    # when: someone with database access rewrites the reason of one event
    _raw(f"UPDATE {TABLE} SET reason = %s WHERE seq = %s", ["无", target.seq])  # noqa: S608

    # then
    report, code = _verify_command()
    assert code == 1
    assert report["ok"] is False
    assert report["first_bad"] == {"seq": target.seq, "reason": Reason.HASH_MISMATCH}
    assert AuditVerification.objects.get().first_bad_seq == target.seq


@pytest.mark.django_db
def test_a_row_edited_and_rehashed_without_the_key_is_found() -> None:
    # given: the editor recomputes a plain SHA-256 over the new content (no HMAC key)
    import hashlib

    events = _journal(4)
    target = events[1]
    forged = hashlib.sha256(b"forged").hexdigest()

    # when
    _raw(
        f"UPDATE {TABLE} SET to_state = %s, hash = %s WHERE seq = %s",  # noqa: S608
        ["approved", forged, target.seq],
    )

    # then: the row itself no longer matches its seal
    result = chain_verify()
    assert not result.ok and result.first_bad is not None
    assert (result.first_bad.seq, result.first_bad.reason) == (target.seq, Reason.HASH_MISMATCH)


@pytest.mark.django_db
def test_a_row_deleted_with_raw_sql_shows_as_a_gap() -> None:
    # given
    events = _journal(5)
    target = events[1]

    # when
    _raw(f"DELETE FROM {TABLE} WHERE seq = %s", [target.seq])  # noqa: S608

    # then
    report, code = _verify_command()
    assert code == 1
    assert report["first_bad"] == {"seq": target.seq, "reason": Reason.SEQ_GAP}


@pytest.mark.django_db
def test_the_newest_row_deleted_is_found_by_the_chain_head() -> None:
    # given
    events = _journal(3)

    # when
    _raw(f"DELETE FROM {TABLE} WHERE seq = %s", [events[-1].seq])  # noqa: S608

    # then
    report, code = _verify_command()
    assert code == 1
    assert report["first_bad"] == {"seq": events[-1].seq, "reason": Reason.SEQ_GAP}


@pytest.mark.django_db
def test_a_row_renumbered_to_fill_a_gap_breaks_the_link() -> None:
    # given: a row deleted and the next one renumbered to hide the gap
    events = _journal(4)
    _raw(f"DELETE FROM {TABLE} WHERE seq = %s", [events[1].seq])  # noqa: S608
    _raw(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [events[1].seq, events[2].seq])  # noqa: S608

    # when
    result = chain_verify()

    # then
    assert result.first_bad is not None
    assert (result.first_bad.seq, result.first_bad.reason) == (
        events[1].seq,
        Reason.PREV_HASH_MISMATCH,
    )


@pytest.mark.django_db
def test_a_row_slipped_in_after_the_head_is_found() -> None:
    # given
    events = _journal(2)
    last = events[-1]

    # when: a row inserted by hand, past the head
    _raw(
        f"INSERT INTO {TABLE} (uuid, seq, at, subject_type, subject_id, action, from_state,"  # noqa: S608
        " to_state, reason, data, prev_hash, hash) VALUES (%s, %s, %s, 'x', 'y', 'forged', '', '',"
        " '', '{}', %s, %s)",
        ["0" * 32, last.seq + 1, last.at, last.hash, "f" * 64],
    )

    # then
    result = chain_verify()
    assert result.first_bad is not None
    assert (result.first_bad.seq, result.first_bad.reason) == (last.seq + 1, Reason.HEAD_MISMATCH)


@pytest.mark.django_db
def test_bulk_created_events_are_chained_too() -> None:
    # given
    before = _journal(1)[0]

    # when
    created = AuditEvent.objects.bulk_create(
        [
            AuditEvent(subject_type="cases.subcase", subject_id=str(i), action="create")
            for i in range(3)
        ]
    )

    # then
    assert [e.seq for e in created] == [before.seq + 1, before.seq + 2, before.seq + 3]
    assert created[0].prev_hash == before.hash
    assert chain_verify().ok


@pytest.mark.django_db
def test_an_event_rolled_back_leaves_no_gap() -> None:
    # given
    first = _journal(1)[0]

    # when: the business transaction that wrote an event fails
    with pytest.raises(RuntimeError), transaction.atomic():
        _journal(2)
        raise RuntimeError("审批失败")
    after = _journal(1)[0]

    # then
    assert after.seq == first.seq + 1
    assert chain_verify().ok


@pytest.mark.django_db
def test_events_cannot_be_changed_or_given_a_number_through_the_orm() -> None:
    # given
    event = _journal(1)[0]

    # then
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(ValueError):
        AuditEvent.objects.create(subject_type="x", subject_id="1", action="a", seq=99)


@pytest.mark.django_db
def test_the_ip_of_the_current_request_is_recorded_and_sealed() -> None:
    # given: a request passing through the request-context middleware
    user = _user()
    recorded: list[AuditEvent] = []

    def view(request: Any) -> Any:
        recorded.append(audit_event_record(subject=user, action="test.in_request", actor=user))
        return None

    request = RequestFactory().get("/x", REMOTE_ADDR="203.0.113.7")

    # when
    RequestContextMiddleware(view)(request)
    outside = audit_event_record(subject=user, action="test.outside", actor=user)

    # then
    assert recorded[0].ip == "203.0.113.7"
    assert outside.ip is None
    _raw(f"UPDATE {TABLE} SET ip = %s WHERE seq = %s", ["198.51.100.1", recorded[0].seq])  # noqa: S608
    result = chain_verify()
    assert result.first_bad is not None and result.first_bad.seq == recorded[0].seq


@pytest.mark.django_db
def test_tail_verification_checks_the_newest_rows_only() -> None:
    # given: an old row edited, the newest rows intact
    events = _journal(6)
    _raw(f"UPDATE {TABLE} SET reason = %s WHERE seq = %s", ["x", events[0].seq])  # noqa: S608

    # when
    tail = chain_verify(tail=3)
    full = chain_verify()

    # then
    assert tail.ok and tail.events == 3 and tail.first_seq == events[3].seq
    assert not full.ok


@pytest.mark.django_db
def test_verify_walks_in_chunks() -> None:
    # given
    events = _journal(7)

    # when: a chunk smaller than the journal
    result = chain_verify(chunk=2)

    # then
    assert result.ok and result.events == events[-1].seq


@pytest.mark.django_db
def test_cli_audit_verify_prints_one_json_line_and_exits_1_when_broken(capsys: Any) -> None:
    # given
    events = _journal(3)

    # when
    intact = cli_main(["audit", "verify"])
    intact_out = capsys.readouterr().out
    _raw(f"DELETE FROM {TABLE} WHERE seq = %s", [events[0].seq])  # noqa: S608
    broken = cli_main(["audit", "verify"])
    broken_out = capsys.readouterr().out

    # then
    assert intact == 0 and json.loads(intact_out) == {
        "events": events[-1].seq,
        "ok": True,
        "first_bad": None,
    }
    assert broken == 1
    assert json.loads(broken_out)["first_bad"] == {"seq": events[0].seq, "reason": "seq_gap"}


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_chain_are_chained_by_the_data_migration() -> None:
    # given: a database at the journal's schema before the chain, holding events
    before, chained, latest = (
        ("common", "0003_pii_access_log"),
        ("common", "0007_audit_seq_required"),
        MigrationExecutor(connection).loader.graph.leaf_nodes("common"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        old_apps = executor.loader.project_state([before]).apps
        OldEvent = old_apps.get_model("common", "AuditEvent")
        import datetime as dt

        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        for minutes, action in ((2, "second"), (1, "first"), (3, "third")):
            OldEvent.objects.create(
                at=base + dt.timedelta(minutes=minutes),
                subject_type="cases.application",
                subject_id="a1",
                action=action,
                data={"n": minutes},
            )

        # when
        executor = MigrationExecutor(connection)
        executor.migrate([chained])

        # then: numbered in the order they happened, and the chain holds
        assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
            "first",
            "second",
            "third",
        ]
        assert AuditEvent.objects.get(seq=1).prev_hash == GENESIS_HASH
        assert chain_verify().ok
        assert audit_event_record(subject_type="x", action="after").seq == 4
        assert chain_verify().ok

        # and back: the data migration is reversible
        executor = MigrationExecutor(connection)
        executor.migrate([("common", "0005_audit_hash_chain")])
        assert not AuditChainHead.objects.using("default").exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads need a server database (SQLite: BEGIN IMMEDIATE)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain() -> None:
    # given
    user = _user()
    workers, per_worker = 4, 25
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def append(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_worker):
                with transaction.atomic():
                    audit_event_record(
                        subject=user, action="test.concurrent", data={"w": n, "i": i}
                    )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=append, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert errors == []
    seqs = list(AuditEvent.objects.filter(action="test.concurrent").values_list("seq", flat=True))
    assert len(seqs) == workers * per_worker == len(set(seqs))
    result = chain_verify()
    assert result.ok, result


@pytest.mark.django_db
def test_reveals_and_exports_are_in_the_chained_journal(client: Any) -> None:
    # given a Qingdao window specialist and a talent-pool entry
    from talentport.common.pii import pii_reveal
    from talentport.jobs import services as jobs_services
    from tests.factories import UserFactory, staff_user

    window = staff_user("window-x", Role.WINDOW_SPECIALIST)
    person = UserFactory(username="wang")
    entry = jobs_services.pool_entry_register(
        user=person, full_name="王", school="曼大", country="英国", major="材料", degree="doctor"
    )
    # when a full value is revealed and the pool exported
    pii_reveal(actor=window, subject=entry, field="full_name", purpose="核对")
    client.force_login(window)
    assert client.get("/jobs/staff/pool/export.xlsx").status_code == 200
    # then both are journal events, and the chain still verifies
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"pii.reveal", "export.talent_pool"} <= actions
    assert chain_verify().ok
