"""The Django side of the policy engine: versions, publishing, push (政策找人),
the questionnaire (我能享受哪些政策) and the district comparison."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.test import Client

from talentport.funds.models import Grant, GrantStatus
from talentport.notify.models import Message, MessageKind
from talentport.people.models import Role, TalentProfile, User
from talentport.policies.errors import PolicyErrorCode, PolicyPublishError
from talentport.policies.models import PolicyVersion
from talentport.policies.push import push_profiles
from talentport.policies.selectors import district_comparison, eligibility_for_profile
from talentport.policies.services import RULES_DIR, policies_sync, policy_publish
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 22)
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
    "person": {"birth_date": "1991-04-02"},
}


def _result(doc: dict, policy_id: str) -> dict:
    return next(r for r in doc["results"] if r["policy"] == policy_id)


@pytest.fixture
def synced() -> None:
    policies_sync()


def _housing_text(bachelor: int, master: int, doctor: int) -> str:
    data = yaml.safe_load(
        (Path(RULES_DIR) / "qingdao.graduate_housing_subsidy.yaml").read_text(encoding="utf-8")
    )
    first_key = next(iter(data["parameters"]["monthly"]["values"]))
    data["parameters"]["monthly"]["values"] = {
        first_key: {"bachelor": bachelor, "master": master, "doctor": doctor}
    }
    data["cases"] = [
        {
            "name": "博士",
            "profile": {"as_of": "2026-11-22", **DOCTOR},
            "expect": {"status": "eligible", "max_total": doctor * 36},
        }
    ]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_sync_is_idempotent(synced: None) -> None:
    # given the shipped policies were synced once
    count = PolicyVersion.objects.count()
    assert count >= 14
    # when synced again
    report = policies_sync()
    # then nothing changes
    assert report.created == 0
    assert PolicyVersion.objects.count() == count


@pytest.fixture
def qingdao_admin(db: Any) -> Any:
    return staff_user("qd-admin", Role.ADMINISTRATOR, jurisdiction="qingdao")


@pytest.mark.usefixtures("seeded_catalog")
def test_publish_is_refused_out_of_scope_and_for_department_specialists(synced: None) -> None:
    # given a department specialist of 就业服务部, a Shinan and a Weihai administrator
    from talentport.catalog.models import Department

    department = Department.objects.filter(jurisdiction__code="qingdao").first()
    specialist = staff_user(
        "jiuye", Role.DEPARTMENT_SPECIALIST, jurisdiction=None, department=department
    )
    shinan = staff_user("shinan-admin", jurisdiction="qingdao.shinan")
    weihai = staff_user("weihai-admin", jurisdiction="weihai")
    text = _housing_text(8000, 8000, 8000).replace("max_total: 54000", "max_total: 288000")
    # when / then: none of them may raise Qingdao's housing subsidy
    for actor in (specialist, shinan, weihai, None):
        with pytest.raises(PermissionDenied):
            policy_publish(text=text, actor=actor)
    assert not PolicyVersion.objects.filter(version=2).exists()
    # and through the API it is a 403 that changes nothing
    client = Client()
    client.force_login(specialist)
    answer = client.post("/api/v1/policies", {"text": text}, "application/json")
    assert answer.status_code == 403
    assert not PolicyVersion.objects.filter(version=2).exists()


def test_publish_new_version_takes_effect(synced: None, qingdao_admin: Any) -> None:
    # given the housing subsidy pays a doctor 1200 a month
    doc = eligibility_for_profile(profile=DOCTOR, as_of=AS_OF)
    assert _result(doc, "qingdao.graduate_housing_subsidy")["benefit"]["per_period"] == 1200
    # when staff publish a version paying 1500
    version = policy_publish(
        text=_housing_text(600, 900, 1500), actor=qingdao_admin, note="提高标准"
    )
    # then it is version 2 and the engine uses it at once
    assert version.version == 2
    doc = eligibility_for_profile(profile=DOCTOR, as_of=AS_OF)
    assert _result(doc, "qingdao.graduate_housing_subsidy")["benefit"]["max_total"] == 54000
    # and a later sync keeps the staff version in force
    assert policies_sync().kept_staff >= 1
    doc = eligibility_for_profile(profile=DOCTOR, as_of=AS_OF)
    assert _result(doc, "qingdao.graduate_housing_subsidy")["benefit"]["per_period"] == 1500


def test_publish_refuses_failing_cases_and_keeps_version_in_force(
    synced: None, qingdao_admin: Any
) -> None:
    # given a text whose own case expects the wrong amount
    text = _housing_text(600, 900, 1500).replace("max_total: 54000", "max_total: 1")
    # when published
    with pytest.raises(PolicyPublishError) as exc:
        policy_publish(text=text, actor=qingdao_admin)
    # then it is refused with the failing case named, and v1 stays in force
    assert exc.value.code == PolicyErrorCode.CASES_FAILED
    assert "博士" in exc.value.reasons[0]
    assert not PolicyVersion.objects.filter(version=2).exists()
    doc = eligibility_for_profile(profile=DOCTOR, as_of=AS_OF)
    assert _result(doc, "qingdao.graduate_housing_subsidy")["benefit"]["per_period"] == 1200


def test_publish_refuses_broken_condition(synced: None, qingdao_admin: Any) -> None:
    text = _housing_text(600, 900, 1500).replace(
        'employment.city == "qingdao"', 'employment.city === "qingdao" ((('
    )
    with pytest.raises(PolicyPublishError) as exc:
        policy_publish(text=text, actor=qingdao_admin)
    assert exc.value.code == PolicyErrorCode.BROKEN_POLICY
    assert exc.value.reasons[0]


def test_publish_refuses_policy_without_cases(synced: None, qingdao_admin: Any) -> None:
    data = yaml.safe_load(_housing_text(600, 900, 1500))
    data["cases"] = []
    with pytest.raises(PolicyPublishError) as exc:
        policy_publish(text=yaml.safe_dump(data, allow_unicode=True), actor=qingdao_admin)
    assert exc.value.code in {PolicyErrorCode.NO_CASES, PolicyErrorCode.BROKEN_POLICY}


@pytest.fixture
def person() -> User:
    return User.objects.create_user(
        username="returnee", password="x-Secret-2026!", email="r@example.cn", role=Role.APPLICANT
    )


def test_push_tells_a_person_once_in_one_message_and_grants_once(
    synced: None, person: User, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    # given a stored profile of an eligible doctor
    profile = TalentProfile.objects.create(user=person, data=DOCTOR)
    # when the push runs twice (the e-mail copy leaves after commit)
    with django_capture_on_commit_callbacks(execute=True):
        first = push_profiles(as_of=AS_OF)
    second = push_profiles(as_of=AS_OF)
    # then the person got one message listing every newly eligible policy, and nothing more
    assert first.people_notified == 1 and first.newly_eligible >= 2
    assert (second.newly_eligible, second.people_notified, second.grants) == (0, 0, 0)
    inbox = list(Message.objects.filter(recipient=person))
    assert len(inbox) == 1
    assert inbox[0].title == f"为您找到 {first.newly_eligible} 项可享受的政策"
    assert "免申即享" in inbox[0].body and "高校毕业生住房补贴" in inbox[0].body
    assert len(mailoutbox) == 1 and mailoutbox[0].subject == inbox[0].title
    # and a 免申即享 policy produced exactly one pending grant with its amount
    grant = Grant.objects.get(profile=profile, policy_id="qingdao.graduate_housing_subsidy")
    assert grant.status == GrantStatus.PENDING
    assert grant.amount == Decimal("43200")
    assert first.grants >= 1 and second.grants == 0


def test_push_reminds_when_window_closes_within_60_days(synced: None, person: User) -> None:
    # given the doctor's housing window closes on 2028-04-01, and the first push was long ago
    TalentProfile.objects.create(user=person, data=DOCTOR)
    push_profiles(as_of=AS_OF)
    # when the push runs 40 days before the close, twice
    first = push_profiles(as_of=dt.date(2028, 2, 21))
    push_profiles(as_of=dt.date(2028, 2, 21))
    # then exactly one reminder names the closing date
    reminders = Message.objects.filter(recipient=person, kind=MessageKind.POLICY_REMINDER)
    housing = [m for m in reminders if "高校毕业生住房补贴" in m.body]
    assert len(housing) == 1 and first.reminders >= 1
    assert "2028-04-01" in housing[0].body


def test_push_tells_only_the_newly_eligible(synced: None, person: User) -> None:
    # given a person who is not yet in Qingdao
    data = {**DOCTOR, "employment": {**DOCTOR["employment"], "city": "other"}}
    data["employment"].pop("district")
    profile = TalentProfile.objects.create(user=person, data=data)
    push_profiles(as_of=AS_OF)
    assert not Message.objects.filter(body__contains="高校毕业生住房补贴").exists()
    # when they move to Qingdao and the push runs
    profile.data = DOCTOR
    profile.save()
    report = push_profiles(profile_ids=[profile.pk], as_of=AS_OF)
    # then they are told about the housing subsidy
    assert Message.objects.filter(body__contains="高校毕业生住房补贴").count() == 1
    assert report.people_notified == 1


def test_district_comparison_ranks_and_explains(synced: None) -> None:
    # given a master graduate working in Shibei, 28 years old, owning no home
    profile = {
        "person": {"birth_date": "1998-03-01"},
        "education": {
            "degree": "master",
            "overseas": True,
            "full_time": True,
            "graduation_date": "2025-06-30",
            "cscse_certified": True,
        },
        "employment": {
            "kind": "employee",
            "city": "qingdao",
            "district": "shibei",
            "employer_type": "enterprise",
            "start_date": "2025-09-01",
            "first_in_city": True,
            "contract_years": 3,
            "social_insurance_months": 12,
        },
        "housing": {"bought_home": None, "owns_commercial_home_in": []},
    }
    from talentport.policies.questions import QINGDAO_DISTRICTS

    # when compared across the districts
    rows = district_comparison(profile=profile, districts=QINGDAO_DISTRICTS, as_of=AS_OF)
    # then all 12 appear, best first, the current one marked
    assert len(rows) == 12
    totals = [r.total for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert [r.district for r in rows if r.current] == ["shibei"]
    # and Pingdu's difference is explained by its own living allowance
    pingdu = next(r for r in rows if r.district == "pingdu")
    assert "qingdao.pingdu.life_allowance" in {g["policy"] for g in pingdu.gained}
    shibei = next(r for r in rows if r.district == "shibei")
    assert pingdu.total > shibei.total
