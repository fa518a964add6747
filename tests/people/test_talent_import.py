"""Contract §9: `talentport profiles import FILE --source NAME` (the talent database)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.db import connection

from talentport.common.models import AuditEvent
from talentport.people.cli import import_main
from talentport.people.models import TalentProfile
from talentport.people.talent_import import ImportFileError, talent_profiles_import

pytestmark = pytest.mark.django_db

SOURCE = "校友会"
PROFILE = {
    "person": {"birth_date": "1996-05-01"},
    "education": {"degree": "master", "overseas": True, "graduation_date": "2025-06-30"},
    "employment": {"kind": "employee", "city": "qingdao", "district": "laoshan"},
}


def line(pid: Any, **extra: Any) -> dict[str, Any]:
    return {"id": pid, **PROFILE, **extra}


def jsonl(*records: Any) -> bytes:
    return b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records)


def write(tmp_path: Path, content: bytes, name: str = "people.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def run(capsys: Any, *argv: str) -> tuple[int, dict[str, Any] | None, str]:
    code = import_main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def fields_of(report: dict[str, Any], number: int) -> list[str]:
    [entry] = [r for r in report["refused"] if r["line"] == number]
    return [e["field"] for e in entry["errors"]]


def test_report_has_exactly_the_contract_shape(tmp_path: Path, capsys: Any) -> None:
    # given
    path = write(tmp_path, jsonl(line(1), line("a-2")))

    # when
    code, report, err = run(capsys, str(path), "--source", SOURCE)

    # then
    assert code == 0, err
    assert report == {"created": 2, "updated": 0, "unchanged": 0, "refused": []}
    assert set(TalentProfile.objects.values_list("source", "source_key")) == {
        (SOURCE, "1"),
        (SOURCE, "a-2"),
    }
    stored = TalentProfile.objects.get(source_key="1")
    assert stored.data == PROFILE
    assert stored.user_id is None
    assert len(stored.data_digest) == 64


def test_reimport_counts_created_updated_unchanged(tmp_path: Path, capsys: Any) -> None:
    # given: three people imported once
    run(capsys, str(write(tmp_path, jsonl(line(1), line(2), line(3)))), "--source", SOURCE)
    before = TalentProfile.objects.get(source_key="2").updated_at
    changed = line(1, person={"birth_date": "1990-01-01"})

    # when: one changed, one the same, one new (3 is not in the file: kept)
    second = write(tmp_path, jsonl(changed, line(2), line(4)), "second.jsonl")
    code, report, err = run(capsys, str(second), "--source", SOURCE)

    # then
    assert code == 0, err
    assert report == {"created": 1, "updated": 1, "unchanged": 1, "refused": []}
    assert TalentProfile.objects.get(source_key="1").data["person"] == {"birth_date": "1990-01-01"}
    assert TalentProfile.objects.get(source_key="2").updated_at == before
    assert TalentProfile.objects.count() == 4


def test_same_id_in_another_source_is_another_person(tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, jsonl(line(1)))
    run(capsys, str(path), "--source", SOURCE)
    code, report, _ = run(capsys, str(path), "--source", "招聘会")
    assert code == 0
    assert report is not None and report["created"] == 1
    assert TalentProfile.objects.count() == 2


def test_each_refusal_names_its_field_and_changes_nothing(tmp_path: Path, capsys: Any) -> None:
    # given: a valid line 1, then one line per kind of mistake
    records: list[Any] = [
        line(1),  # 1 ok
        line(2, education={"degree": "phd"}),  # 2 schema: enum
        line(3, person={"birth_date": "2001-02-30"}),  # 3 impossible date
        line(4, contact={"phone": "0532-66776881"}),  # 4 landline
        line(5, contact={"phone": "12345"}),  # 5 not a phone
        line(6, contact={"email": "not-an-address"}),  # 6 bad e-mail
        {**PROFILE},  # 7 no id
        line(True),  # 8 id a boolean
        line({"x": 1}),  # 9 id an object
        line(1),  # 10 duplicate of line 1
        line(11, consent="yes"),  # 11 consent not a boolean
        b"{not json",  # 12 garbled (not the last line: refused, not truncation)
        b"[1, 2]",  # 13 not an object
        line(14, employment={"social_insurance_months": -3}),  # 14 negative count
        line(15, contact="13800138000"),  # 15 contact not an object
    ]
    path = write(tmp_path, jsonl(*records))

    # when
    code, report, err = run(capsys, str(path), "--source", SOURCE)

    # then
    assert code == 0, err
    assert report is not None
    assert report["created"] == 1
    assert [r["line"] for r in report["refused"]] == list(range(2, 16))
    assert fields_of(report, 2) == ["education.degree"]
    assert fields_of(report, 3) == ["person.birth_date"]
    assert fields_of(report, 4) == ["contact.phone"]
    assert fields_of(report, 5) == ["contact.phone"]
    assert fields_of(report, 6) == ["contact.email"]
    assert fields_of(report, 7) == ["id"]
    assert fields_of(report, 8) == ["id"]
    assert fields_of(report, 9) == ["id"]
    assert fields_of(report, 10) == ["id"]
    assert "第 1 行" in report["refused"][8]["errors"][0]["message"]
    assert fields_of(report, 11) == ["consent"]
    assert fields_of(report, 12) == ["profile"]
    assert fields_of(report, 13) == ["profile"]
    assert fields_of(report, 14) == ["employment.social_insurance_months"]
    assert fields_of(report, 15) == ["contact"]
    for entry in report["refused"]:
        assert all(e["message"] for e in entry["errors"])
    assert list(TalentProfile.objects.values_list("source_key", flat=True)) == ["1"]


def test_landline_is_refused_even_when_well_formed(tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, jsonl(line(1, contact={"name": "王五", "phone": "(0532)66776881"})))
    _, report, _ = run(capsys, str(path), "--source", SOURCE)
    assert report is not None
    assert report["created"] == 0
    [entry] = report["refused"]
    assert entry["errors"][0]["field"] == "contact.phone"
    assert "固定电话" in entry["errors"][0]["message"]


def test_refused_update_keeps_the_stored_line(tmp_path: Path, capsys: Any) -> None:
    run(capsys, str(write(tmp_path, jsonl(line(1)))), "--source", SOURCE)
    bad = write(tmp_path, jsonl(line(1, education={"degree": "phd"})), "bad.jsonl")
    _, report, _ = run(capsys, str(bad), "--source", SOURCE)
    assert report is not None and report["updated"] == 0 and len(report["refused"]) == 1
    assert TalentProfile.objects.get(source_key="1").data == PROFILE


def test_not_utf8_exits_2_and_stores_nothing(tmp_path: Path, capsys: Any) -> None:
    content = jsonl(line(1)) + '{"id": 2, "contact": {"name": "张三"}}\n'.encode("gbk")
    code, report, err = run(capsys, str(write(tmp_path, content)), "--source", SOURCE)
    assert code == 2
    assert report is None
    assert "UTF-8" in err
    assert not TalentProfile.objects.exists()


def test_truncated_last_line_exits_2_and_stores_nothing(tmp_path: Path, capsys: Any) -> None:
    content = jsonl(line(1), line(2)) + orjson.dumps(line(3))[:25]
    code, report, err = run(capsys, str(write(tmp_path, content)), "--source", SOURCE)
    assert code == 2
    assert report is None
    assert "截断" in err
    assert not TalentProfile.objects.exists()


def test_last_line_without_newline_is_read(tmp_path: Path, capsys: Any) -> None:
    content = jsonl(line(1)) + orjson.dumps(line(2))
    code, report, _ = run(capsys, str(write(tmp_path, content)), "--source", SOURCE)
    assert code == 0
    assert report is not None and report["created"] == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["people.jsonl"],  # no --source
        ["people.jsonl", "--source", "  "],
        ["missing.jsonl", "--source", SOURCE],
        [],
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, capsys: Any, argv: list[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    write(tmp_path, jsonl(line(1)))
    code, report, err = run(capsys, *argv)
    assert code == 2
    assert report is None
    assert err
    assert not TalentProfile.objects.exists()


def test_contact_details_are_encrypted_at_rest_and_masked(tmp_path: Path, capsys: Any) -> None:
    # given
    contact = {"name": "张三丰", "phone": "+86 138-0013-8000", "email": "zhang.san@example.org"}
    path = write(tmp_path, jsonl(line(1, contact=contact, consent=True)))

    # when
    run(capsys, str(path), "--source", SOURCE)

    # then: the columns hold no plaintext
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_name, contact_phone, contact_email, contact_phone_index"
            " FROM people_talentprofile"
        )
        [raw] = cursor.fetchall()
    dump = " ".join(str(v) for v in raw)
    for plain in ("张三丰", "13800138000", "0013", "zhang.san"):
        assert plain not in dump
    stored = TalentProfile.objects.get()
    assert stored.contact_name == "张三丰"
    assert stored.contact_phone == "13800138000"
    assert stored.contact_email == "zhang.san@example.org"
    assert stored.contact_phone_masked == "138****8000"
    assert stored.contact_email_masked == "z***@example.org"
    assert stored.consent is True and stored.consent_at is not None
    assert stored.contactable
    # the blind index finds the person by phone however it is written
    from talentport.common.crypto import blind_index_filter

    found = TalentProfile.objects.filter(
        blind_index_filter(TalentProfile, "contact_phone_index", "138 0013 8000")
    )
    assert list(found) == [stored]


def test_consent_absent_or_false_is_recorded_false(tmp_path: Path, capsys: Any) -> None:
    phone = {"phone": "13800138001"}
    path = write(tmp_path, jsonl(line(1, contact=phone), line(2, contact=phone, consent=False)))
    run(capsys, str(path), "--source", SOURCE)
    for stored in TalentProfile.objects.all():
        assert stored.consent is False
        assert stored.consent_at is None
        assert not stored.contactable


def test_consent_at_is_set_when_consent_turns_true_and_kept_after(
    tmp_path: Path, capsys: Any
) -> None:
    phone = {"phone": "13800138001"}
    run(capsys, str(write(tmp_path, jsonl(line(1, contact=phone)))), "--source", SOURCE)
    assert TalentProfile.objects.get().consent_at is None
    yes = write(tmp_path, jsonl(line(1, contact=phone, consent=True)), "yes.jsonl")
    run(capsys, str(yes), "--source", SOURCE)
    first = TalentProfile.objects.get().consent_at
    assert first is not None
    again = line(1, contact=phone, consent=True, person={"birth_date": "1990-01-01"})
    run(capsys, str(write(tmp_path, jsonl(again), "again.jsonl")), "--source", SOURCE)
    assert TalentProfile.objects.get().consent_at == first
    no = write(tmp_path, jsonl(line(1, contact=phone, consent=False)), "no.jsonl")
    run(capsys, str(no), "--source", SOURCE)
    withdrawn = TalentProfile.objects.get()
    assert withdrawn.consent is False and withdrawn.consent_at is None


def test_update_recomputes_the_blind_index(tmp_path: Path, capsys: Any) -> None:
    from talentport.common.crypto import blind_index_filter

    run(
        capsys,
        str(write(tmp_path, jsonl(line(1, contact={"phone": "13800138001"})))),
        "--source",
        SOURCE,
    )
    new = write(tmp_path, jsonl(line(1, contact={"phone": "13900139002"})), "new.jsonl")
    run(capsys, str(new), "--source", SOURCE)
    by_new = blind_index_filter(TalentProfile, "contact_phone_index", "13900139002")
    by_old = blind_index_filter(TalentProfile, "contact_phone_index", "13800138001")
    assert TalentProfile.objects.filter(by_new).count() == 1
    assert not TalentProfile.objects.filter(by_old).exists()


def test_import_is_audited_with_counts_only(tmp_path: Path, capsys: Any) -> None:
    contact = {"name": "张三丰", "phone": "13800138000"}
    path = write(tmp_path, jsonl(line(1, contact=contact), line(2, contact={"phone": "1"})))
    run(capsys, str(path), "--source", SOURCE)
    event = AuditEvent.objects.filter(action="people.profiles_import").get()
    assert event.data["created"] == 1 and event.data["refused"] == 1
    text = json.dumps(event.data, ensure_ascii=False)
    assert "张三丰" not in text and "13800138000" not in text


def test_service_takes_bytes_and_streams(tmp_path: Path) -> None:
    report = talent_profiles_import(jsonl(line(1)), source=SOURCE)
    assert report.as_dict()["created"] == 1
    report = talent_profiles_import(io.BytesIO(jsonl(line(1))), source=SOURCE)
    assert report.as_dict()["unchanged"] == 1
    with pytest.raises(ImportFileError):
        talent_profiles_import(b"\xff\xfe", source=SOURCE)
    with pytest.raises(ImportFileError):
        talent_profiles_import(jsonl(line(1)), source="")


def test_more_lines_than_a_chunk(monkeypatch: Any) -> None:
    from talentport.people import talent_import

    monkeypatch.setattr(talent_import, "CHUNK", 7)
    content = jsonl(*[line(i) for i in range(20)], line(3))
    report = talent_profiles_import(content, source=SOURCE)
    assert report.counts == {"created": 20, "updated": 0, "unchanged": 0, "refused": 1}
    assert report.refused[0]["line"] == 21
    again = talent_profiles_import(content, source=SOURCE)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 20, "refused": 1}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_chunks_are_written_behind_and_a_failed_write_stops_it(
    monkeypatch: Any,
) -> None:
    import threading

    from talentport.people import talent_import
    from talentport.people.models import ImportRunStatus, ProfileImportRun

    monkeypatch.setattr(talent_import, "CHUNK", 4)
    writers: list[str] = []
    real = talent_import._write_chunk

    def write(*args: Any) -> None:
        writers.append(threading.current_thread().name)
        real(*args)

    monkeypatch.setattr(talent_import, "_write_chunk", write)
    report = talent_profiles_import(jsonl(*(line(i) for i in range(10))), source=SOURCE)
    assert report.created == 10 and TalentProfile.objects.filter(source=SOURCE).count() == 10
    # on PostgreSQL a thread stores each chunk while the next is checked; SQLite in line
    behind = connection.vendor == "postgresql"
    assert len(writers) == 3
    assert all(name.startswith("writes-behind") == behind for name in writers)

    # a chunk whose write fails stops the import: the error is raised, the run not done
    def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(talent_import, "_write_chunk", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        talent_profiles_import(jsonl(*(line(i) for i in range(20, 30))), source=SOURCE)
    assert TalentProfile.objects.filter(source=SOURCE).count() == 10
    last = ProfileImportRun.objects.order_by("-id").first()
    assert last is not None and last.status != ImportRunStatus.DONE
