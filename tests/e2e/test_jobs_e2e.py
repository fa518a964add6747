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
    from talentport.people.models import Role, StaffScope, User

    staff = User.objects.create_user(username="e2e-staff", password="x", role=Role.ADMINISTRATOR)
    StaffScope.objects.create(user=staff, jurisdiction="qingdao")
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


def test_staff_create_publish_event_and_mark_attendance(
    live_server: Any, browser: Any, screenshots: Path, returnee: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from talentport.people.models import Role, StaffScope, User

    window = User.objects.create_user(
        username="e2e-window", password=PASSWORD, role=Role.WINDOW_SPECIALIST
    )
    StaffScope.objects.create(user=window, jurisdiction="qingdao")
    starts = timezone.localtime() + dt.timedelta(days=7)
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    person = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()

    def login(page: Any, username: str) -> None:
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").last.click()
        page.wait_for_load_state()

    try:
        # given: a window specialist in the back office
        login(staff, "e2e-window")
        staff.goto(live_server.url + "/jobs/staff/")
        staff.get_by_role("link", name=re.compile("活动管理")).click()

        # when: a venture study tour (研学) is created as a draft and then published
        form = staff.get_by_test_id("event-form")
        form.get_by_label("活动类型").select_option("study_tour")
        form.get_by_label("活动名称").fill("感知青岛创新生态创业研学")
        form.get_by_label("开始时间").fill(starts.strftime("%Y-%m-%dT09:00"))
        form.get_by_label("地点").fill("金海牛产业平台")
        form.get_by_label("名额").fill("20")
        form.get_by_role("button", name="保存").click()
        staff.wait_for_url(re.compile(r"/jobs/staff/events/[0-9a-f-]{36}/$"))
        assert staff.get_by_test_id("event-status").inner_text().strip() == "草稿"
        staff.get_by_role("button", name="发布活动（开放报名）").click()
        staff.wait_for_load_state()
        assert staff.get_by_test_id("event-status").inner_text().strip() == "报名中"
        event_url = staff.url

        # then: the returnee finds and registers for it on a phone
        login(person, "wang-e2e")
        person.goto(live_server.url + "/jobs/events/")
        person.get_by_role("link", name="感知青岛创新生态创业研学").click()
        person.get_by_role("button", name=re.compile("报名")).first.click()
        person.wait_for_load_state()
        assert "报名成功" in person.content()

        # and staff mark attendance; the summary counts it
        staff.goto(event_url)
        staff.get_by_role("button", name="登记出席").click()
        staff.wait_for_load_state()
        summary = staff.get_by_test_id("feedback-summary")
        assert "1（出席率 100%）" in summary.locator('[data-field="attended"]').inner_text()
        staff.screenshot(path=str(screenshots / "jobs-staff-event.png"), full_page=True)
    finally:
        staff.context.close()
        person.context.close()
