"""Talent pool registration, employers, positions, matching pages and pushes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from talentport.jobs import selectors, services
from talentport.jobs.errors import JobsError
from talentport.jobs.models import JobApplication, Referral, ReferralStatus
from talentport.notify.models import Message
from talentport.people.models import TalentProfile

pytestmark = pytest.mark.django_db


def test_registration_creates_the_profile_and_mirrors_education(applicant, register_entry):
    # when
    entry = register_entry(applicant)
    # then
    profile = TalentProfile.objects.get(user=applicant)
    assert entry.profile == profile
    assert profile.data["education"] == {
        "degree": "doctor",
        "overseas": True,
        "graduation_date": "2024-06-30",
    }


def test_registration_keeps_other_profile_data_and_nulls_graduation_while_enrolled(
    applicant, register_entry
):
    # given: a profile the person already filled elsewhere
    TalentProfile.objects.create(user=applicant, data={"person": {"birth_date": "1995-01-01"}})
    # when: still studying, graduation expected in the future
    import datetime as dt

    register_entry(applicant, abroad_status="studying", expected_graduation=dt.date(2099, 6, 30))
    # then
    data = TalentProfile.objects.get(user=applicant).data
    assert data["person"] == {"birth_date": "1995-01-01"}
    assert data["education"]["graduation_date"] is None
    assert TalentProfile.objects.filter(user=applicant).count() == 1


def test_registration_is_refused_for_employers_and_bad_input(employer, applicant, register_entry):
    with pytest.raises(JobsError):
        register_entry(employer)
    with pytest.raises(JobsError) as bad:
        register_entry(applicant, intended_districts=["atlantis"])
    assert bad.value.field == "intended_districts"
    with pytest.raises(JobsError) as code:
        register_entry(applicant, ambassador_code="nobody")
    assert code.value.field == "ambassador_code"


def test_referral_follows_the_person_from_registration_to_application(
    applicant, staff, verified_org, employer, register_entry, new_position
):
    # given
    ambassador = services.ambassador_create(
        actor=staff, name="庄同学", country="新西兰", university="奥克兰大学", code="akl-1"
    )
    # when
    entry = register_entry(applicant, ambassador_code="AKL-1")
    # then
    referral = Referral.objects.get(entry=entry)
    assert referral.ambassador == ambassador and referral.status == ReferralStatus.REGISTERED
    # when: applying
    position = new_position(verified_org, employer)
    services.job_apply(entry=entry, position=position, actor=applicant)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.APPLIED
    # then: never backwards, returned only by staff
    with pytest.raises(JobsError):
        services.referral_advance(referral=referral, to_status="registered", actor=staff)
    with pytest.raises(JobsError):
        services.referral_advance(referral=referral, to_status="returned", actor=applicant)
    services.referral_advance(referral=referral, to_status="returned", actor=staff)
    stats = selectors.ambassador_stats()
    assert stats["overall"]["conversion_rate"] == 1.0
    assert stats["per_country"][0]["label"] == "新西兰"


def test_unverified_employer_cannot_post(employer, register_entry, new_position):
    org = services.employer_org_save(user=employer, name="某公司", org_type="state_owned")
    with pytest.raises(JobsError) as refused:
        new_position(org, employer)
    assert refused.value.code == "org_not_verified"


def test_position_rejects_inverted_salary(verified_org, employer, new_position):
    with pytest.raises(JobsError) as refused:
        new_position(verified_org, employer, salary_min="500000", salary_max="100000")
    assert refused.value.field == "salary_max"


def test_matches_carry_score_and_chinese_reasons(
    applicant, verified_org, employer, register_entry, new_position
):
    # given
    entry = register_entry(applicant)
    good = new_position(verified_org, employer)
    poor = new_position(
        verified_org,
        employer,
        title="销售代表",
        industry="trade_logistics",
        degree="bachelor",
        major_fields=["management"],
        salary_min="60000",
        salary_max="90000",
        district="pingdu",
    )
    # when
    matches = selectors.position_matches_for_entry(entry=entry)
    # then
    assert [m.position for m in matches] == [good, poor]
    assert matches[0].score == 100
    assert {r.factor for r in matches[0].reasons} == {
        "major",
        "degree",
        "salary",
        "location",
        "industry",
    }
    texts = " ".join(r.text for r in matches[1].reasons)
    assert "专业不对口" in texts and "薪资低于期望" in texts and "不在意向区市" in texts


def test_push_sends_best_new_positions_once(
    applicant, other_applicant, verified_org, employer, register_entry, new_position
):
    # given
    register_entry(applicant)
    register_entry(
        other_applicant,
        full_name="李同学",
        major_field="arts_design",
        degree="bachelor",
        industries=["culture_tourism"],
        intended_districts=["pingdu"],
    )
    position = new_position(verified_org, employer)
    # when
    first = services.matches_push(positions=[position])
    again = services.matches_push(positions=[position])
    # then: only the good match is pushed, and only once
    assert first == 1 and again == 0
    message = Message.objects.get(recipient=applicant)
    assert position.title in message.title and message.link.endswith(str(position.uuid) + "/")
    assert not Message.objects.filter(recipient=other_applicant).exists()


def test_publishing_pushes_on_commit(
    applicant,
    verified_org,
    employer,
    register_entry,
    new_position,
    django_capture_on_commit_callbacks,
):
    register_entry(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        new_position(verified_org, employer, push=True)
    assert Message.objects.filter(recipient=applicant).count() == 1


def test_employer_sees_only_consenting_candidates(
    applicant, other_applicant, verified_org, employer, register_entry, new_position, client
):
    # given
    register_entry(applicant)
    register_entry(other_applicant, full_name="李同学", contact_consent=False)
    position = new_position(verified_org, employer)
    # then
    names = [m.entry.full_name for m in selectors.candidates_for_position(position=position)]
    assert names == ["王博士"]
    client.force_login(employer)
    page = client.get(reverse("jobs:employer-candidates", args=[position.uuid]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "王博士" in body and "李同学" not in body


def test_other_employer_and_people_cannot_see_candidates(
    verified_org, employer, staff, applicant, new_position, client
):
    # given: a second verified employer
    from talentport.people.models import Role, User

    rival = User.objects.create_user(username="rival", password="x-pw-123456", role=Role.EMPLOYER)
    org = services.employer_org_save(user=rival, name="另一家公司", org_type="other")
    services.employer_org_verify(org=org, actor=staff, decision="verified")
    position = new_position(verified_org, employer)
    url = reverse("jobs:employer-candidates", args=[position.uuid])
    # then
    client.force_login(rival)
    assert client.get(url).status_code == 404
    client.force_login(applicant)
    assert client.get(url).status_code == 403


def test_pages_register_then_see_matches_and_apply(
    applicant, verified_org, employer, new_position, client
):
    # given
    position = new_position(verified_org, employer)
    client.force_login(applicant)
    # when
    form = client.get(reverse("jobs:pool-register"))
    assert form.status_code == 200 and 'for="id_full_name"' in form.content.decode()
    response = client.post(
        reverse("jobs:pool-register"),
        {
            "full_name": "王博士",
            "abroad_status": "returned",
            "school": "曼彻斯特大学",
            "country": "英国",
            "major": "材料科学",
            "major_field": "materials",
            "degree": "doctor",
            "expected_graduation": "2024-06-30",
            "intended_districts": ["laoshan"],
            "industries": ["new_materials"],
            "salary_expectation": "300000",
            "contact_consent": "on",
        },
    )
    # then
    assert response.status_code == 302 and response["Location"] == reverse("jobs:my-matches")
    body = client.get(reverse("jobs:my-matches")).content.decode()
    assert position.title in body and re.search(r'data-field="score">100<', body)
    assert "专业对口" in body
    detail = client.get(reverse("jobs:position-detail", args=[position.uuid])).content.decode()
    assert "与您的匹配度" in detail
    client.post(reverse("jobs:position-apply", args=[position.uuid]))
    assert JobApplication.objects.filter(position=position).count() == 1


def test_pool_register_form_errors_are_shown_not_500(applicant, client):
    client.force_login(applicant)
    response = client.post(reverse("jobs:pool-register"), {"full_name": "", "degree": "phd"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_unknown_and_malformed_ids_are_404(client, applicant):
    assert client.get("/jobs/positions/not-a-uuid/").status_code == 404
    assert client.get("/jobs/positions/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/jobs/events/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_staff_pages_need_a_staff_role(client, applicant, staff, register_entry):
    register_entry(applicant)
    client.force_login(applicant)
    for name in ("staff-home", "staff-pool", "staff-ambassadors", "staff-employers"):
        assert client.get(reverse("jobs:" + name)).status_code == 403
    client.force_login(staff)
    for name in ("staff-home", "staff-pool", "staff-ambassadors", "staff-employers"):
        assert client.get(reverse("jobs:" + name)).status_code == 200
    found = client.get(reverse("jobs:staff-pool"), {"country": "英国", "degree": "doctor"})
    assert "王博士" in found.content.decode()
    none = client.get(reverse("jobs:staff-pool"), {"degree": "bachelor"})
    assert "王博士" not in none.content.decode()


def test_staff_export_is_an_xlsx_of_the_filtered_pool(
    client, applicant, other_applicant, staff, register_entry
):
    import io

    from openpyxl import load_workbook

    register_entry(applicant)
    register_entry(other_applicant, full_name="李同学", country="日本")
    client.force_login(staff)
    response = client.get(reverse("jobs:staff-pool-export"), {"country": "英国"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 2 and rows[1][0] == "王博士"


def test_staff_verify_employer_page(client, staff, employer):
    org = services.employer_org_save(user=employer, name="某公司", org_type="private")
    client.force_login(staff)
    client.post(reverse("jobs:staff-employer-verify", args=[org.uuid]), {"decision": "rejected"})
    org.refresh_from_db()
    assert org.verification_status == "pending"  # rejection needs a note
    client.post(reverse("jobs:staff-employer-verify", args=[org.uuid]), {"decision": "verified"})
    org.refresh_from_db()
    assert org.verification_status == "verified"
