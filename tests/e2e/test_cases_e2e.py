"""End to end: a person files the 回国后 bundle, two departments act in parallel, one
asks for a correction, the person answers, both complete, the person rates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from talentport.cases import services
from talentport.cases.models import Rating, SubCase
from talentport.catalog.models import Department
from talentport.people.models import Role, User

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_catalog"),
]

PDF = b"%PDF-1.4\n%e2e\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _page_for(browser: Any, live_server: Any, user: User) -> Any:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context.new_page()


def _act(page: Any, live_server: Any, subcase: SubCase, action: str, **fill: str) -> None:
    page.goto(f"{live_server.url}/cases/workbench/subcases/{subcase.uuid}/")
    form = page.locator("form", has=page.locator(f"input[name=action][value={action}]"))
    for selector, value in fill.items():
        form.locator("#" + selector.replace("_", "-")).fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_file_parallel_correction_complete_rate(
    live_server: Any, browser: Any, screenshots: Path, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # given: the bundles, a person and two department specialists
    services.bundle_load()
    person = User.objects.create_user(
        "li", password="x-Pass-123", display_name="李留学", email="li@example.org"
    )
    depts = {c: Department.objects.get(code=c) for c in ("wh-hrss", "wh-police")}
    hrss = User.objects.create_user(
        "hr",
        password="x-Pass-123",
        role=Role.DEPARTMENT_SPECIALIST,
        department=depts["wh-hrss"],
        display_name="张专员",
    )
    police = User.objects.create_user(
        "po",
        password="x-Pass-123",
        role=Role.DEPARTMENT_SPECIALIST,
        department=depts["wh-police"],
        display_name="王警官",
    )
    services.membership_set(user=police, department=depts["wh-police"], phone="0631-5000110")
    bundle_id = services.Bundle.objects.get(code="weihai-study-abroad").uuid

    page = _page_for(browser, live_server, person)
    # when: the person picks the 回国后 stage and two items
    page.goto(f"{live_server.url}/cases/bundles/{bundle_id}/?stage=after")
    for box in page.locator("input[name=items]").all():
        box.uncheck()
    page.check("input[name=items][value=degree-verification]")
    page.check("input[name=items][value=entry-exit-records]")
    # the union of the items' fields is one form, name prefilled from the account
    assert page.locator("#f-name").input_value() == "李留学"
    page.fill("#f-id_number", "371000199501011234")
    page.fill("#f-phone", "13700000000")
    page.fill("#f-school", "University of Edinburgh")
    page.fill("#f-degree", "master")
    page.click("button:has-text('保存草稿')")
    page.wait_for_url(re.compile(r"/cases/applications/[0-9a-f-]{36}/$"))
    # materials: each asked once, though passport serves both items
    assert page.locator("input[type=file][name=file]").count() == 3
    for code in ("passport", "degree_certificate", "id_card"):
        page.set_input_files(
            f"#file-{code}", {"name": code + ".pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.locator("form", has=page.locator(f"#file-{code}")).locator("button").click()
        page.wait_for_load_state()
    with page.expect_navigation():
        page.click("button:has-text('提交申请')")
    number = page.locator("#application-number").inner_text()
    assert number.startswith("YJS")
    page.screenshot(path=str(screenshots / "cases-submitted.png"), full_page=True)
    subs = {sc.department.code: sc for sc in SubCase.objects.filter(application__applicant=person)}

    # then: two departments act in parallel; the police ask for a correction
    police_page = _page_for(browser, live_server, police)
    police_page.goto(f"{live_server.url}/cases/workbench/")
    assert police_page.locator("table.data-table tbody tr").count() == 1  # only its own queue
    _act(police_page, live_server, subs["wh-police"], "accept")
    _act(
        police_page,
        live_server,
        subs["wh-police"],
        "request_correction",
        entries="护照出入境记录页不清晰，请重新上传",
    )
    hrss_page = _page_for(browser, live_server, hrss)
    _act(hrss_page, live_server, subs["wh-hrss"], "accept")
    _act(hrss_page, live_server, subs["wh-hrss"], "approve")
    _act(hrss_page, live_server, subs["wh-hrss"], "complete", result_number="WH-RZ-2026-001")

    # the person sees the correction, with the specialist's name and phone, and answers
    page.reload()
    police_step = page.locator("li[data-department='威海市公安局']")
    assert "护照出入境记录页不清晰" in police_step.inner_text()
    assert "王警官" in police_step.inner_text() and "0631-5000110" in police_step.inner_text()
    police_step.locator("textarea").fill("已重新上传清晰扫描件")
    police_step.locator("button:has-text('提交补正')").click()
    page.wait_for_load_state()

    _act(police_page, live_server, subs["wh-police"], "approve")
    _act(police_page, live_server, subs["wh-police"], "complete", result_number="CRJ-2026-002")

    # the application is closed; the person rates it and the police department
    page.reload()
    assert page.locator("#application-status").inner_text() == "已办结"
    page.select_option("#level-all", "satisfied")
    page.select_option("#ind-efficiency", "satisfied")
    page.fill("#comment", "两个部门同时办理，很快")
    page.click("button:has-text('提交整体评价')")
    page.wait_for_load_state()
    page.select_option(f"#level-{subs['wh-police'].uuid}", "basic")
    page.locator(f"form:has(#level-{subs['wh-police'].uuid}) button").click()
    page.wait_for_load_state()
    page.screenshot(path=str(screenshots / "cases-rated.png"), full_page=True)
    assert Rating.objects.filter(application__applicant=person).count() == 2
    assert SubCase.objects.get(pk=subs["wh-police"].pk).paused_days >= 0
