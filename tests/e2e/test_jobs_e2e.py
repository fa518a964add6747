"""End to end: a returnee registers in the talent pool and is matched to a job."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "深海防腐涂层研发工程师"
PASSWORD = "Returnee-2025-pw"


@pytest.fixture
def open_position() -> Any:
    from talentport.jobs import services
    from talentport.people.models import Role, User

    staff = User.objects.create_user(username="e2e-staff", password="x", role=Role.ADMINISTRATOR)
    hr = User.objects.create_user(username="e2e-hr", password="x", role=Role.EMPLOYER)
    org = services.employer_org_save(user=hr, name="青岛海洋新材料有限公司", org_type="private")
    services.employer_org_verify(org=org, actor=staff, decision="verified")
    return services.position_create(
        org=org,
        actor=hr,
        title=TITLE,
        industry="new_materials",
        degree="doctor",
        major_fields=["materials"],
        salary_min=Decimal("250000"),
        salary_max=Decimal("500000"),
        district="laoshan",
        push=False,
    )


@pytest.fixture
def returnee() -> Any:
    from talentport.people.models import Role, User

    return User.objects.create_user(
        username="wang-e2e", password=PASSWORD, role=Role.APPLICANT, display_name="王博士"
    )


@pytest.mark.parametrize("device", ["mobile", "desktop"])
def test_returnee_registers_and_sees_matched_position(
    live_server: Any,
    browser: Any,
    screenshots: Path,
    open_position: Any,
    returnee: Any,
    device: str,
) -> None:
    viewport = (
        {"width": 390, "height": 844} if device == "mobile" else {"width": 1280, "height": 900}
    )
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    try:
        # given: the returnee is signed in
        page.goto(live_server.url + "/jobs/pool/register")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        page.get_by_label("用户名").fill("wang-e2e")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").last.click()
        page.wait_for_url(re.compile(r"/jobs/pool/register"))

        # when: registering in the talent pool through the labelled form
        page.get_by_label("姓名", exact=True).fill("王博士")
        page.get_by_label("已回国（海归）").check()
        page.get_by_label("就读（毕业）院校").fill("曼彻斯特大学")
        page.get_by_label("留学国家和地区").fill("英国")
        page.get_by_label("专业", exact=True).fill("材料科学")
        page.get_by_label("专业大类").select_option("materials")
        page.get_by_label("最高学历学位").select_option("doctor")
        page.get_by_label("（预计）毕业时间").fill("2024-06-30")
        page.get_by_label("崂山区").check()
        page.get_by_label("新材料").check()
        page.get_by_label("期望年薪（元）").fill("300000")
        page.get_by_label("同意经认证的用人单位查看我的信息并与我联系").check()
        page.screenshot(path=str(screenshots / (device + "-jobs-register.png")), full_page=True)
        page.get_by_role("button", name="保存并查看匹配岗位").click()

        # then: the matches page lists the position with its score and reasons
        page.wait_for_url(re.compile(r"/jobs/matches/$"))
        item = page.locator("li.match-item", has_text=TITLE)
        assert item.count() == 1
        assert item.locator('[data-field="score"]').inner_text().strip() == "100"
        reasons = item.locator("ul.reasons li")
        assert reasons.count() == 5
        assert "专业对口" in reasons.nth(0).inner_text()
        assert "工作地点符合意向：崂山区" in item.inner_text()
        page.screenshot(path=str(screenshots / (device + "-jobs-matches.png")), full_page=True)

        # when: opening the position
        item.get_by_role("link", name=TITLE).click()
        page.wait_for_url(re.compile(r"/jobs/positions/[0-9a-f-]{36}/$"))

        # then: the detail shows the same score and reasons, and the profile mirrors the degree
        assert page.locator("h1").inner_text().strip() == TITLE
        match = page.locator("section.match")
        assert match.locator('[data-field="score"]').inner_text().strip() == "100"
        assert match.locator("ul.reasons li").count() == 5
        page.get_by_role("button", name="投递该岗位").click()
        page.wait_for_load_state()
        assert page.get_by_text("投递成功").is_visible()
        from talentport.people.models import TalentProfile

        assert TalentProfile.objects.get(user=returnee).data["education"]["degree"] == "doctor"
    finally:
        context.close()
