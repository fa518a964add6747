"""A profile with a huge number (issue 8, "Why" 6): ``PUT /api/v1/me/profile`` answers 400
naming the field and stores nothing; the scheduled push skips a bad stored profile and
processes the others."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, TestCase

from talentport.people.models import Role, TalentProfile, User
from talentport.policies.engine import validate_profile
from talentport.policies.models import PushState
from talentport.policies.push import push_profiles
from talentport.policies.services import policies_sync

AS_OF = dt.date(2026, 11, 22)
FOUNDER = (
    '{"education": {"degree": "master", "overseas": true, "full_time": true,'
    ' "graduation_date": "2025-06-30", "cscse_certified": true},'
    ' "employment": {"kind": "founder", "city": "qingdao", "district": "shinan",'
    ' "start_date": "2025-09-01", "first_in_city": true},'
    ' "venture": {"city": "qingdao", "district": "shinan", "founded_date": "2025-09-01",'
    ' "equity_share": 0.5, "local_contribution_last_year": %s}}'
)
DOCTOR = {
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
}
MONEY = "venture.local_contribution_last_year"


@pytest.fixture
def person(db: Any) -> User:
    return User.objects.create_user(
        username="founder", password="pw-123456-Aa", role=Role.APPLICANT
    )


@pytest.fixture
def client_for(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _put(client: Client, body: str) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the push runs after commit
        return client.put("/api/v1/me/profile", body, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "field"),
    [
        ("6e19", MONEY),
        ("1e27", MONEY),
        ("9" * 400, MONEY),
        ("1e309", MONEY),  # parses as infinity
        ("-5", MONEY),
        ("1000000000000", MONEY),  # 10^12: more than the platform stores
    ],
)
def test_a_huge_number_is_a_400_naming_the_field_and_nothing_is_stored(
    client_for: Client, number: str, field: str
) -> None:
    # when
    response = _put(client_for, FOUNDER % number)

    # then
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not TalentProfile.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"employment": {"contract_years": 1e400}}', "employment.contract_years"),
        ('{"employment": {"contract_years": -1}}', "employment.contract_years"),
        (
            '{"employment": {"social_insurance_months": 100001}}',
            "employment.social_insurance_months",
        ),
        ('{"internship": {"days_this_month": ' + "9" * 50 + "}}", "internship.days_this_month"),
        ('{"extra": {"deep": ' + "[" * 40 + "1" + "]" * 40 + "}}", "extra.deep" + ".0" * 14),
        ('{"x": ' * 5000 + "1" + "}" * 5000, ""),  # deeper than the parser can go
        ('{"venture": {"equity_share": NaN}}', ""),
        ('{"venture": {"equity_share": Infinity}}', ""),
    ],
)
def test_odd_numbers_and_shapes_are_400(client_for: Client, body: str, field: str) -> None:
    # when
    response = _put(client_for, body)

    # then
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not TalentProfile.objects.exists()


@pytest.mark.django_db
def test_a_sane_profile_is_stored(client_for: Client) -> None:
    response = _put(client_for, FOUNDER % "2500000")
    assert response.status_code == 200
    assert TalentProfile.objects.get().data["venture"][MONEY.split(".")[1]] == 2500000


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/eligibility", "/api/v1/eligibility/districts"])
@pytest.mark.parametrize("number", ["1e27", "9" * 400, "1e309", "1e15"])
def test_the_public_evaluations_name_the_field_too(url: str, number: str) -> None:
    response = Client().post(url, FOUNDER % number, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [MONEY]


def test_the_engine_keeps_the_contract_bound_of_fifteen_digits() -> None:
    ok = json.loads(FOUNDER % "999999999999999")
    assert validate_profile(ok) == []
    assert [e.field for e in validate_profile(json.loads(FOUNDER % "1e15"))] == [MONEY]


def test_the_eligibility_command_refuses_a_huge_number(tmp_path: Any) -> None:
    # given
    path = tmp_path / "p.json"
    path.write_text(FOUNDER % "1e27", encoding="utf-8")

    # when
    run = subprocess.run(  # noqa: S603 - our own entry point
        [sys.executable, "-m", "talentport.cli", "eligibility", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )

    # then: exit 2, nothing on stdout, the field named on stderr (contract §2)
    assert run.returncode == 2, run.stderr
    assert run.stdout == "" and MONEY in run.stderr


# --------------------------------------------------------------------------- #
# The push never aborts for everyone
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_the_push_skips_a_bad_stored_profile_and_processes_the_others(
    caplog: Any, person: User
) -> None:
    # given: profiles stored before validation was strict (written directly)
    policies_sync()
    bad = TalentProfile.objects.create(data=json.loads(FOUNDER % "60000000000000000000"))
    broken = TalentProfile.objects.create(data={"employment": {"contract_years": -3}})
    good = TalentProfile.objects.create(user=person, data=DOCTOR)

    # when
    with caplog.at_level(logging.WARNING, logger="talentport.policies"):
        report = push_profiles(as_of=AS_OF)

    # then
    assert report.profiles == 1 and report.skipped_invalid == 2
    assert PushState.objects.filter(profile=good).exists()
    assert not PushState.objects.filter(profile__in=[bad, broken]).exists()
    logged = caplog.text
    assert str(bad.uuid) in logged and str(broken.uuid) in logged
    assert "60000000000000000000" not in logged and "doctor" not in logged


@pytest.mark.django_db
def test_an_evaluation_that_fails_skips_only_that_profile(monkeypatch: Any, person: User) -> None:
    # given: the engine fails on one profile that passed validation
    from talentport.policies.engine import vector

    policies_sync()
    odd = TalentProfile.objects.create(data={**DOCTOR, "note": "odd"})
    good = TalentProfile.objects.create(user=person, data=DOCTOR)
    real = vector.evaluate_plan

    def evaluate_plan(lines: Any, *args: Any, **kwargs: Any) -> Any:
        if lines.collect().get_column(vector.RAW).str.contains("odd").any():
            raise ArithmeticError("boom")
        return real(lines, *args, **kwargs)

    monkeypatch.setattr(vector, "evaluate_plan", evaluate_plan)

    # when
    report = push_profiles(as_of=AS_OF)

    # then
    assert (report.profiles, report.skipped_invalid) == (1, 1)
    assert PushState.objects.filter(profile=good).exists()
    assert not PushState.objects.filter(profile=odd).exists()


@pytest.mark.django_db
def test_the_push_command_reports_the_profiles_it_evaluated(capsys: Any) -> None:
    # given one profile stored before validation was strict and one good one
    policies_sync()
    TalentProfile.objects.create(data=json.loads(FOUNDER % "1e27"))
    TalentProfile.objects.create(data=DOCTOR)
    # when
    call_command("policies_push", "--as-of", "2026-11-22")
    # then the report (contract §9) counts the good one only
    report = json.loads(capsys.readouterr().out)
    assert report["profiles"] == 1 and report["newly_eligible"] >= 1
