"""我能享受哪些政策 in the browser's shoes: the questionnaire asks only what still
matters, shows progress, refuses impossible answers in Chinese, saves and resumes."""

from __future__ import annotations

import pytest
from django.test import Client

from talentport.people.models import Role, TalentProfile, User
from talentport.policies.services import policies_sync
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

ANSWERS = {
    "education.degree": "doctor",
    "education.overseas": "true",
    "education.graduation_date": "2025-01-20",
    "employment.kind": "employee",
    "employment.city": "qingdao",
    "employment.district": "shibei",
    "employment.start_date": "2025-04-01",
    "education.cscse_certified": "true",
    "person.birth_date": "1991-04-02",
}


@pytest.fixture(autouse=True)
def _synced() -> None:
    policies_sync()


def _walk(client: Client, answers: dict[str, str]) -> list[str]:
    asked: list[str] = []
    client.post("/policies/check/begin/")
    for _ in range(80):
        page = client.get("/policies/check/question/")
        if page.status_code == 302:
            assert page.url.endswith("/policies/check/results/")
            return asked
        path = page.context["question"].path
        assert path not in asked, "a question is never asked twice"
        asked.append(path)
        if path in answers:
            reply = client.post(
                "/policies/check/question/", {"path": path, "answer": answers[path]}
            )
        else:
            reply = client.post("/policies/check/question/", {"path": path, "skip": "1"})
        assert reply.status_code == 302
    raise AssertionError("questionnaire did not end")


def test_first_question_and_progress(client: Client) -> None:
    client.post("/policies/check/begin/")
    page = client.get("/policies/check/question/")
    assert page.status_code == 200
    assert page.context["question"].path == "education.degree"
    assert page.context["answered"] == 0
    assert "已回答 0 题" in page.content.decode()


def test_questions_no_policy_needs_are_skipped(client: Client) -> None:
    # given someone who studied in China and works in another city
    asked = _walk(
        client,
        {
            "education.degree": "bachelor",
            "education.overseas": "false",
            "employment.kind": "employee",
            "employment.city": "other",
        },
    )
    # then the questionnaire ends without asking what only overseas returnees need
    assert asked[:2] == ["education.degree", "education.overseas"]
    assert "housing.bought_home" not in asked
    assert "education.cscse_certified" not in asked
    assert "employment.start_date" not in asked


def test_results_total_guides_and_comparison(client: Client) -> None:
    _walk(client, ANSWERS)
    page = client.get("/policies/check/results/")
    html = page.content.decode()
    assert page.status_code == 200
    # what you get and the total
    eligible = {r["policy"] for r in page.context["eligible"]}
    assert "qingdao.graduate_housing_subsidy" in eligible
    assert page.context["total"] >= 43200
    assert "43,200" in html
    # why not the others
    assert page.context["ineligible"]
    assert "为什么不能享受其他政策" in html
    # the district comparison lists the 12 districts
    assert len(page.context["comparison"]) == 12
    assert 'data-district="pingdu"' in html


def test_impossible_answer_is_refused_in_chinese(client: Client) -> None:
    client.post("/policies/check/begin/")
    # given a birth date after graduation
    session = client.session
    session["policy_check"] = {
        "profile": {"education": {"degree": "master", "graduation_date": "2020-06-30"}},
        "skipped": [],
        "answered": ["education.degree"],
    }
    session.save()
    for _ in range(30):
        page = client.get("/policies/check/question/")
        path = page.context["question"].path
        if path == "person.birth_date":
            break
        client.post("/policies/check/question/", {"path": path, "skip": "1"})
    # when the person answers a birth date after graduation
    reply = client.post(
        "/policies/check/question/", {"path": "person.birth_date", "answer": "2021-01-01"}
    )
    # then the answer is refused with a message, the question is asked again
    assert reply.status_code == 400
    assert reply.context["error"]
    garbage = client.post(
        "/policies/check/question/", {"path": "person.birth_date", "answer": "not-a-date"}
    )
    assert garbage.status_code == 400
    assert "日期" in garbage.context["error"]


def test_save_and_resume_for_signed_in_user(client: Client) -> None:
    user = User.objects.create_user(username="amy", password="x-Secret-2026!", role=Role.APPLICANT)
    client.force_login(user)
    _walk(client, ANSWERS)
    saved = client.post("/policies/check/save/")
    assert saved.status_code == 302
    profile = TalentProfile.objects.get(user=user)
    assert profile.data["education"]["degree"] == "doctor"
    # a new session resumes from the saved profile: the answered questions are not asked again
    other = Client()
    other.force_login(user)
    start = other.get("/policies/check/")
    assert "继续使用已保存的画像" in start.content.decode()
    other.post("/policies/check/begin/", {"resume": "saved"})
    page = other.get("/policies/check/question/")
    if page.status_code == 200:
        assert page.context["question"].path not in ANSWERS


def test_save_requires_login(client: Client) -> None:
    reply = client.post("/policies/check/save/")
    assert reply.status_code == 302
    assert "/accounts/" in reply.url


def test_staff_pages_are_for_staff_only(client: Client) -> None:
    user = User.objects.create_user(username="bob", password="x-Secret-2026!", role=Role.APPLICANT)
    client.force_login(user)
    assert client.get("/policies/staff/").status_code == 403
    client.force_login(staff_user("root"))
    page = client.get("/policies/staff/")
    assert page.status_code == 200
    assert "qingdao.graduate_housing_subsidy" in page.content.decode()
    broken = client.post("/policies/staff/publish/", {"text": "id: [unclosed", "note": ""})
    assert broken.status_code == 400
    assert "未发布" in broken.content.decode()
