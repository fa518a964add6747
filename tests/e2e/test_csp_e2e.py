"""End to end: the pages work under the strict Content-Security-Policy.

The portal's own scripts, Swagger UI, Redoc and the Django admin run, and no page
breaks the policy (the ``browser`` fixture fails a test on any violation).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_catalog"),
]

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Csp-Root-2026!"


def test_public_pages_and_api_docs_run_their_scripts_without_violations(
    live_server: Any, browser: Any, csp_violations: Any
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    base = live_server.url
    try:
        # given: the home page; when: searching by pinyin initials
        page.goto(base + "/")
        page.get_by_label("搜索服务事项").fill("zfbt")
        page.get_by_label("搜索服务事项").press("Enter")
        page.wait_for_url(re.compile(r"/services/\?q=zfbt"))

        # then: the district list follows the chosen city (portal.js ran)
        district = page.locator("select[data-depends-on]")
        city = page.locator("#" + (district.get_attribute("data-depends-on") or ""))
        qingdao_district = district.locator('option[data-city="qingdao"]').first
        city.select_option("weihai")
        assert qingdao_district.is_disabled()
        city.select_option("qingdao")
        assert not qingdao_district.is_disabled()

        # when: opening a service guide; then: the print button was shown (portal.js)
        page.locator("ol.result-list > li").first.locator("h3 a").click()
        page.wait_for_url(re.compile(r"/services/[0-9a-f-]{36}/$"))
        assert page.get_by_role("button", name="打印").is_visible()
        assert page.locator("aside.qr svg[role=img]").count() == 1

        # when: starting the questionnaire; then: the progress bar is drawn
        page.goto(base + "/policies/check/")
        page.get_by_role("button", name="开始测评").click()
        page.wait_for_url(re.compile(r"/policies/check/question/$"))
        assert page.locator("progress.progress-bar").is_visible()
        assert page.locator("legend").inner_text().strip()

        # when: opening the interactive API docs; then: Swagger UI listed the operations
        page.goto(base + "/api/v1/docs")
        page.locator(".opblock").first.wait_for()
        assert page.locator(".opblock").count() > 20
        assert page.locator(".opblock-summary-path", has_text="/api/v1/eligibility").count() >= 1

        # when: opening the admin sign-in page; then: it is the platform's sign-in (which
        # asks staff for their second factor), scripts and all
        page.goto(base + "/admin/login/")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        assert page.locator("#id_username").is_visible()
    finally:
        context.close()
    # then: no page broke the policy
    assert csp_violations.violations == []


def test_admin_and_redoc_run_under_the_policy(
    live_server: Any, browser: Any, csp_violations: Any, django_user_model: Any
) -> None:
    # given: a superuser signed in to the admin
    django_user_model.objects.create_superuser(
        username="csp_root", password=PASSWORD, email="root@example.cn"
    )
    # Redoc's sidebar shows the Redocly logo from its CDN: refusing it is the point
    browser.expect_blocked("https://cdn.redoc.ly/")
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    base = live_server.url
    try:
        page.goto(base + "/accounts/login/?next=/admin/")
        page.locator("#id_username").fill("csp_root")
        page.locator("#id_password").fill(PASSWORD)
        page.locator(".form-card form button[type=submit]").click()
        page.wait_for_url(base + "/admin/")

        # when: opening a change list and selecting every row (actions.js)
        page.goto(base + "/admin/catalog/serviceitem/")
        page.locator("#action-toggle").check()
        assert page.locator("#result_list tbody input.action-select:checked").count() > 0
        assert page.locator(".action-counter").inner_text().strip()

        # when: opening a change form and its calendar (DateTimeShortcuts.js)
        page.locator("#result_list tbody tr th a").first.click()
        page.wait_for_url(re.compile(r"/change/$"))
        page.locator(
            ".datetimeshortcuts a.date-icon, .datetimeshortcuts a[id^=calendarlink]"
        ).first.click()
        assert page.locator(".calendarbox").first.is_visible()
        change_url = page.url

        # when: opening its history
        page.goto(change_url.replace("/change/", "/history/"))
        assert page.locator("#change-history").count() == 1

        # when: opening the API reference; then: Redoc rendered it and its search answers
        page.goto(base + "/api/v1/redoc")
        page.get_by_role("heading", name=re.compile("TalentPort")).first.wait_for()
        page.get_by_placeholder("Search...").fill("eligibility")
        page.locator("[data-role='search:results'] li").first.wait_for()
    finally:
        context.close()
    # then
    assert csp_violations.violations == []


def test_the_watch_sees_a_violation(live_server: Any, browser: Any, csp_violations: Any) -> None:
    # given: a page whose inline style and script its own policy refuses
    context = browser.new_context()
    page = context.new_page()
    probe = live_server.url + "/csp-watch-probe"
    page.route(
        probe,
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'"},
            body="<style>p { color: red }</style><p style='margin:0'>x</p><script>1</script>",
        ),
    )
    try:
        # when
        page.goto(probe)
        page.wait_for_function("document.readyState === 'complete'")
    finally:
        context.close()
    # then: the watch recorded them (and is emptied so that this test itself passes)
    seen = list(csp_violations.violations)
    csp_violations.violations.clear()
    assert any("style-src" in v for v in seen), seen
    assert any("script-src" in v for v in seen), seen
