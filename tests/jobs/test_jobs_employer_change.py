"""A verified employer may request a change: it goes back to review, journaled."""

from __future__ import annotations

import pytest

from talentport.common.models import AuditEvent
from talentport.jobs import selectors, services
from talentport.jobs.errors import JobsError
from talentport.jobs.models import VerificationStatus

pytestmark = pytest.mark.django_db


def test_change_after_verification_goes_back_to_pending(
    employer, staff, verified_org, new_position
):
    # given: a verified employer with a public position
    position = new_position(verified_org, employer)
    assert selectors.position_get(uuid=position.uuid) is not None

    # when: the employer changes its contact and district
    org = services.employer_org_save(
        user=employer,
        name=verified_org.name,
        org_type="private",
        district="xihaian",
        contact_name="李经理",
    )

    # then: pending again, the change journaled field by field, positions paused
    assert org.verification_status == VerificationStatus.PENDING
    event = AuditEvent.objects.filter(
        subject_id=str(org.uuid), action="employer_org.change_requested"
    ).get()
    assert (event.from_state, event.to_state) == ("verified", "pending")
    assert event.data["changes"] == {
        "district": ["laoshan", "xihaian"],
        "contact_name": ["", "李经理"],
    }
    assert selectors.position_get(uuid=position.uuid) is None
    with pytest.raises(JobsError):
        new_position(org, employer, title="新岗位")
    assert selectors.employer_org_pending_changes(orgs=[org])[org.pk][0]["field"] == "所在区（市）"

    # when: staff verify again → back online
    services.employer_org_verify(org=org, actor=staff, decision="verified")
    assert selectors.position_get(uuid=position.uuid) is not None


def test_unchanged_submission_is_refused(employer, verified_org):
    with pytest.raises(JobsError) as exc:
        services.employer_org_save(
            user=employer, name=verified_org.name, org_type="private", district="laoshan"
        )
    assert "没有变化" in exc.value.message
    verified_org.refresh_from_db()
    assert verified_org.is_verified


def test_change_request_through_the_page(client, employer, staff, verified_org):
    client.force_login(employer)
    page = client.get("/jobs/employer/").content.decode()
    assert "申请变更单位信息" in page
    response = client.post(
        "/jobs/employer/",
        {"name": "青岛海洋新材料股份有限公司", "org_type": "private", "district": "laoshan"},
        follow=True,
    )
    assert "单位重新进入待审核" in response.content.decode()
    verified_org.refresh_from_db()
    assert verified_org.verification_status == VerificationStatus.PENDING
    client.force_login(staff)
    staff_page = client.get("/jobs/staff/employers/?status=pending").content.decode()
    assert "青岛海洋新材料有限公司 → 青岛海洋新材料股份有限公司" in staff_page
