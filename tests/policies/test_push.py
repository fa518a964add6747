"""政策找人 over stored profiles (contract §9): the same answers as `talentport match`,
diffed against what each person was last told, resumable, and run in the queue."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from talentport.funds.models import Grant
from talentport.notify.models import Message
from talentport.people.models import Role, TalentProfile, User
from talentport.policies import push
from talentport.policies.engine.batch import run_match
from talentport.policies.models import PushRun, PushRunStatus, PushState, PushTrigger
from talentport.policies.push import push_profiles, push_run_create, push_run_execute
from talentport.policies.selectors import policies_in_force
from talentport.policies.services import policies_sync
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 22)
FOUR = [
    "qingdao.graduate_housing_subsidy",
    "qingdao.settle_allowance",
    "qingdao.pingdu.life_allowance",
    "qingdao.laixi.housing_voucher",
]


def _generator() -> Any:
    """The population of the match benchmark (bench/match.py), seeded."""
    path = Path(__file__).resolve().parents[2] / "bench" / "match.py"
    spec = importlib.util.spec_from_file_location("bench_match", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.person


def _population(n: int, seed: int = 7) -> list[dict[str, Any]]:
    person = _generator()
    rng = random.Random(seed)
    return [person(rng, i) for i in range(n)]


def _store(people: list[dict[str, Any]]) -> dict[int, int]:
    """Store the profiles as imported rows; returns source id → row pk."""
    TalentProfile.objects.bulk_create(
        [
            TalentProfile(
                source="bench",
                source_key=str(p["id"]),
                data={k: v for k, v in p.items() if k != "id"},
            )
            for p in people
        ]
    )
    return dict(TalentProfile.objects.filter(source="bench").values_list("source_key", "pk"))  # type: ignore[arg-type]


def _match_pairs(people: list[dict[str, Any]], policy_ids: list[str] | None) -> int:
    payload = b"\n".join(orjson.dumps(p) for p in people) + b"\n"
    frame = run_match(payload, as_of=AS_OF, policy_ids=policy_ids, policies=policies_in_force())
    return sum(len(orjson.loads(line)["eligible"]) for line in frame.get_column("line"))


@pytest.fixture
def synced() -> None:
    policies_sync()


@pytest.mark.parametrize("policy_ids", [None, FOUR])
def test_first_push_finds_exactly_what_match_finds(
    synced: None, settings: Any, policy_ids: list[str] | None
) -> None:
    # given 400 imported profiles, read in chunks of 64
    settings.PUSH_CHUNK_SIZE = 64
    people = _population(400)
    _store(people)
    # when the first push runs
    report = push_profiles(policy_ids=policy_ids, as_of=AS_OF)
    # then it counts the (person, policy) pairs `talentport match` lists as eligible
    assert report.profiles == 400
    assert report.newly_eligible == _match_pairs(people, policy_ids) > 0
    # and a second push with nothing changed finds nothing new and tells nobody
    again = push_profiles(policy_ids=policy_ids, as_of=AS_OF)
    assert (again.newly_eligible, again.no_longer_eligible, again.people_notified) == (0, 0, 0)
    assert again.profiles == 400


def test_dry_run_reports_the_same_figures_and_changes_nothing(synced: None) -> None:
    _store(_population(120))
    dry = push_profiles(as_of=AS_OF, dry_run=True)
    assert not PushState.objects.exists() and not Grant.objects.exists()
    real = push_profiles(as_of=AS_OF)
    assert dry == real and real.grants > 0


def test_people_without_consent_are_counted_never_told(synced: None) -> None:
    # given two imported eligible doctors, one who agreed to be contacted
    _store([{"id": 1, **_doctor()}, {"id": 2, **_doctor()}])
    yes, no = TalentProfile.objects.order_by("pk")
    yes.contact_phone, yes.consent = "13912345678", True
    yes.save()
    no.contact_phone, no.consent = "13812345678", False
    no.save()
    # when the push runs
    report = push_profiles(as_of=AS_OF)
    # then both count as eligible, only the consenting one is told
    states = dict(PushState.objects.values_list("profile_id", "eligible"))
    assert states[yes.pk] and states[yes.pk] == states[no.pk]
    assert report.newly_eligible == 2 * len(states[yes.pk].split(","))
    assert report.people_notified == 1


def test_losing_eligibility_is_counted_and_a_partial_push_keeps_other_policies(
    synced: None, person: User
) -> None:
    profile = TalentProfile.objects.create(user=person, data=_doctor())
    first = push_profiles(as_of=AS_OF)
    before = set(PushState.objects.get(profile=profile).eligible.split(","))
    assert "qingdao.graduate_housing_subsidy" in before
    # when the person leaves Qingdao and only the housing subsidy is pushed
    profile.data = {**_doctor(), "employment": {"kind": "employee", "city": "weihai"}}
    profile.save()
    report = push_profiles(policy_ids=["qingdao.graduate_housing_subsidy"], as_of=AS_OF)
    # then that pair is lost, the other policies' state is untouched until they are pushed
    assert report.no_longer_eligible == 1 and report.newly_eligible == 0
    after = set(PushState.objects.get(profile=profile).eligible.split(","))
    assert after == before - {"qingdao.graduate_housing_subsidy"}
    assert first.people_notified == 1 and report.people_notified == 0


def test_an_interrupted_run_resumes_to_the_state_of_an_uninterrupted_one(
    synced: None, settings: Any, monkeypatch: Any
) -> None:
    # given 300 account holders' profiles, chunks of 50, and a worker that dies in chunk 3
    settings.PUSH_CHUNK_SIZE = 50
    people = _population(300)
    users = User.objects.bulk_create(
        [User(username=f"u{p['id']}", role=Role.APPLICANT) for p in people]
    )
    TalentProfile.objects.bulk_create(
        [
            TalentProfile(user=u, data={k: v for k, v in p.items() if k != "id"})
            for u, p in zip(users, people, strict=True)
        ]
    )
    run = push_run_create(trigger=PushTrigger.MANUAL, as_of=AS_OF, queue=False)
    real_write = push._write
    calls = {"n": 0}

    def dying_write(*args: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real_write(*args)

    monkeypatch.setattr(push, "_write", dying_write)
    with pytest.raises(SystemExit):
        push_run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == PushRunStatus.RUNNING and run.processed == 100
    told_before = Message.objects.count()
    # when another worker takes the run over once its heartbeat is stale
    assert push_run_execute(run.pk) is None, "a live run is not taken twice"
    PushRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - push.stale_after() - dt.timedelta(seconds=1)
    )
    monkeypatch.setattr(push, "_write", real_write)
    done = push_run_execute(run.pk)
    # then it completes from the checkpoint, and nobody was told twice
    assert done is not None and done.status == PushRunStatus.DONE
    assert done.processed == 300 and done.counts["profiles"] == 300
    per_person = Message.objects.values_list("recipient_id", flat=True)
    assert len(per_person) == len(set(per_person)) > told_before
    # and the final state equals an uninterrupted run over the same profiles
    resumed = dict(PushState.objects.values_list("profile_id", "eligible"))
    PushState.objects.all().delete()
    Message.objects.all().delete()
    Grant.objects.all().delete()
    clean = push_profiles(as_of=AS_OF)
    assert dict(PushState.objects.values_list("profile_id", "eligible")) == resumed
    assert clean.newly_eligible == done.counts["newly_eligible"]
    assert clean.people_notified == done.counts["people_notified"]


def test_publishing_records_a_run_that_the_queue_executes(
    synced: None, person: User, django_capture_on_commit_callbacks: Any
) -> None:
    from talentport.policies.services import RULES_DIR, policy_publish

    TalentProfile.objects.create(user=person, data=_doctor())
    admin = staff_user("qd-admin", Role.ADMINISTRATOR, jurisdiction="qingdao")
    text = (RULES_DIR / "qingdao.graduate_housing_subsidy.yaml").read_text(encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        version = policy_publish(text=text, actor=admin, note="重新发布")
    run = PushRun.objects.get(policy_version=version)
    assert run.trigger == PushTrigger.PUBLISH and run.started_by == admin
    assert run.status == PushRunStatus.DONE and run.total == 1 and run.processed == 1
    assert run.counts["newly_eligible"] == 1


def test_with_the_broker_down_a_push_is_recorded_and_waits_for_it(
    synced: None, settings: Any, person: User, django_capture_on_commit_callbacks: Any
) -> None:
    from talentport.policies.push import push_runs_resume

    settings.TASKS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from talentport.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.broker_connection_timeout = 1
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    TalentProfile.objects.create(user=person, data=_doctor())
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = push_run_create(trigger=PushTrigger.MANUAL, as_of=AS_OF)
    finally:
        app.conf.broker_url = "filesystem://"
    run.refresh_from_db()
    assert run.status == PushRunStatus.WAITING and not run.queued
    # staff see that it waits for the queue
    admin = staff_user("qd-admin2", Role.ADMINISTRATOR, jurisdiction="qingdao")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/policies/staff/runs/{run.uuid}/").content.decode()
    assert "任务队列暂时无法连接" in page
    assert "开始执行时统计画像总数" in page and "0 / 0" not in page  # counted when it starts
    # when the broker is back, the scheduler's resume task hands it to the queue
    settings.TASKS_EAGER = True
    PushRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert push_runs_resume() == 1
    run.refresh_from_db()
    assert run.status == PushRunStatus.DONE and run.counts["people_notified"] == 1
    assert (run.processed, run.total) == (1, 1)


def test_the_cli_prints_the_report_and_refuses_bad_options(synced: None, capsys: Any) -> None:
    from talentport.policies.push_cli import push_main

    _store(_population(50))
    assert push_main(["--as-of", "2026-11-22", "--dry-run"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {
        "profiles",
        "newly_eligible",
        "no_longer_eligible",
        "people_notified",
        "reminders",
        "grants",
    }
    assert report["profiles"] == 50 and not PushState.objects.exists()
    assert push_main(["--as-of", "2026-13-01"]) == 2
    assert "--as-of" in capsys.readouterr().err
    assert push_main(["--policies", "qingdao.nothing_like_this"]) == 2
    assert "qingdao.nothing_like_this" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("policies_push", "--as-of", "soon")


def test_staff_follow_runs_they_may_push_and_nobody_else(
    synced: None, django_capture_on_commit_callbacks: Any
) -> None:
    qingdao = staff_user("qd-admin3", Role.ADMINISTRATOR, jurisdiction="qingdao")
    weihai = staff_user("wh-admin", Role.ADMINISTRATOR, jurisdiction="weihai")
    client = Client()
    client.force_login(qingdao)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/policies/staff/push/")
    run = PushRun.objects.get()
    assert response.status_code == 302 and str(run.uuid) in response["Location"]
    assert run.started_by == qingdao and run.status == PushRunStatus.DONE
    assert all(pid.startswith("qingdao") for pid in run.policy_ids)
    page = client.get(f"/policies/staff/runs/{run.uuid}/").content.decode()
    assert "已完成" in page and "qd-admin3" in page
    assert str(run.uuid) in client.get("/policies/staff/runs/").content.decode()
    other = Client()
    other.force_login(weihai)
    assert other.get(f"/policies/staff/runs/{run.uuid}/").status_code == 404
    assert str(run.uuid) not in other.get("/policies/staff/runs/").content.decode()


@pytest.fixture
def person() -> User:
    return User.objects.create_user(
        username="returnee", password="x-Secret-2026!", email="r@example.cn", role=Role.APPLICANT
    )


def _doctor() -> dict[str, Any]:
    return {
        "education": {
            "degree": "doctor",
            "overseas": True,
            "full_time": True,
            "graduation_date": "2025-01-20",
            "cscse_certified": True,
        },
        "employment": {
            "kind": "employee",
            "city": "qingdao",
            "district": "shibei",
            "employer_type": "state_owned_enterprise",
            "start_date": "2025-04-01",
            "first_in_city": True,
        },
        "person": {"birth_date": "1991-04-02"},
    }


# --------------------------------------------------------------------------- #
# 政策沙盘: the effect of a draft before it is published
# --------------------------------------------------------------------------- #


def _master(district: str) -> dict[str, Any]:
    data = _doctor()
    data["education"]["degree"] = "master"
    data["employment"]["district"] = district
    return data


def test_the_sandbox_counts_who_a_draft_changes_and_the_money_by_district_and_degree(
    synced: None, django_capture_on_commit_callbacks: Any
) -> None:
    from talentport.policies.models import PolicyPreview
    from talentport.policies.sandbox import preview_create
    from talentport.policies.services import RULES_DIR

    # given two masters (市北, 崂山) and a doctor, and a draft raising the master's rate
    _store(
        [
            {"id": 1, **_master("shibei")},
            {"id": 2, **_master("laoshan")},
            {"id": 3, **_doctor()},
        ]
    )
    TalentProfile.objects.filter(source_key="1").update(contact_phone_masked="139****5678")
    text = (RULES_DIR / "qingdao.graduate_housing_subsidy.yaml").read_text(encoding="utf-8")
    draft = text.replace("master: 800,", "master: 850,", 1)
    assert draft != text
    admin = staff_user("qd-admin4", Role.ADMINISTRATOR, jurisdiction="qingdao")
    # when staff preview it
    with django_capture_on_commit_callbacks(execute=True):
        preview = preview_create(text=draft, actor=admin, as_of=AS_OF)
    preview = PolicyPreview.objects.get(pk=preview.pk)
    # then the two masters' amount changes by 50 元 × 36 months each, nobody else's
    assert preview.status == PushRunStatus.DONE and preview.processed == 3
    result = preview.result
    assert result["counts"] == {
        "profiles": 3,
        "became_eligible": 0,
        "lost_eligibility": 0,
        "amount_changed": 2,
    }
    assert result["commitment_delta"] == "3600.00"
    assert result["by_district"] == {"laoshan": "1800.00", "shibei": "1800.00"}
    assert result["by_degree"] == {"master": "3600.00"}
    assert {row["phone"] for row in result["sample"]} == {"139****5678", "—"}
    # and nothing was written for anyone, nobody told
    assert not PushState.objects.exists() and not Message.objects.exists()
    # and the page shows it to Qingdao's staff, not to Weihai's
    client = Client()
    client.force_login(admin)
    page = client.get(f"/policies/staff/preview/{preview.uuid}/").content.decode()
    assert "3600.00" in page and "139****5678" in page and "13912345678" not in page
    weihai = staff_user("wh-admin2", Role.ADMINISTRATOR, jurisdiction="weihai")
    other = Client()
    other.force_login(weihai)
    assert other.get(f"/policies/staff/preview/{preview.uuid}/").status_code == 404


def test_a_draft_that_does_not_parse_is_refused_next_to_the_text(synced: None) -> None:
    admin = staff_user("qd-admin5", Role.ADMINISTRATOR, jurisdiction="qingdao")
    client = Client()
    client.force_login(admin)
    response = client.post("/policies/staff/preview/", {"text": "id: [unclosed"})
    assert response.status_code == 400
    assert "未发布，原因如下" in response.content.decode()


def test_a_draft_outside_ones_jurisdiction_is_refused_before_anything_is_computed(
    synced: None,
) -> None:
    from talentport.policies.models import PolicyPreview
    from talentport.policies.services import RULES_DIR

    text = (RULES_DIR / "qingdao.graduate_housing_subsidy.yaml").read_text(encoding="utf-8")
    weihai = staff_user("wh-admin3", Role.ADMINISTRATOR, jurisdiction="weihai")
    client = Client()
    client.force_login(weihai)
    response = client.post("/policies/staff/preview/", {"text": text})
    assert response.status_code == 403
    assert not PolicyPreview.objects.exists()


def test_a_document_validated_at_import_is_trusted_and_one_changed_elsewhere_is_not(
    synced: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talentport.people.talent_import import talent_profiles_import
    from talentport.policies import services

    people = _population(30, seed=11)
    payload = b"".join(orjson.dumps(p) + b"\n" for p in people)
    assert talent_profiles_import(payload, source="校友会").created == 30
    validated: list[object] = []
    real = services.stored_profile_errors

    def spy(data: object) -> Any:
        validated.append(data)
        return real(data)

    monkeypatch.setattr(services, "stored_profile_errors", spy)
    # the import validated every document: the first push does not do it again
    first = push_profiles(as_of=AS_OF)
    assert first.profiles == 30 and validated == []
    # a document written by something that did not validate it (here a bare update,
    # with a negative count the contract refuses) is validated, and refused
    one = TalentProfile.objects.filter(source="校友会").order_by("pk").first()
    assert one is not None
    data = dict(one.data)
    data["employment"] = {**data.get("employment", {}), "social_insurance_months": -3}
    TalentProfile.objects.filter(pk=one.pk).update(data=data)
    again = push_profiles(as_of=AS_OF)
    assert len(validated) == 1 and again.skipped_invalid == 1
    # a release whose validation differs trusts nothing validated before it
    validated.clear()
    monkeypatch.setattr(services, "_validation_fingerprint", lambda: b"another release")
    PushState.objects.all().delete()
    push_profiles(as_of=AS_OF)
    assert len(validated) == 30


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_chunks_are_read_ahead_and_written_behind_with_the_same_result(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from django.db import connection

    policies_sync()
    settings.PUSH_CHUNK_SIZE = 64
    people = _population(300, seed=5)
    _store(people)
    readers: list[str] = []
    real_chunks = push._chunks

    def chunks(*args: Any) -> Any:
        readers.append(threading.current_thread().name)
        yield from real_chunks(*args)

    monkeypatch.setattr(push, "_chunks", chunks)
    writers: list[str] = []
    real_write = push._write

    def write(*args: Any) -> int:
        writers.append(threading.current_thread().name)
        return real_write(*args)

    monkeypatch.setattr(push, "_write", write)
    report = push_profiles(as_of=AS_OF)
    assert report.profiles == 300
    assert report.newly_eligible == _match_pairs(people, None) > 0
    # on PostgreSQL one thread reads ahead and one writes behind (each mostly a wait on
    # the server) while the chunk between is evaluated; SQLite does all in line
    on_postgres = connection.vendor == "postgresql"
    assert readers == ["push-read-ahead" if on_postgres else "MainThread"]
    assert len(writers) == 5  # 300 profiles in chunks of 64
    assert all(name.startswith("writes-behind") == on_postgres for name in writers)
    # a run that stops after its first chunk (taken over) leaves no reader behind
    PushState.objects.all().delete()
    stopped = push_profiles(as_of=AS_OF, on_chunk=lambda last, n, part: False)
    assert stopped.profiles == 0 and not PushState.objects.exists()
    assert not any(t.name == "push-read-ahead" for t in threading.enumerate())
