"""End to end: 我能享受哪些政策 in a phone browser — the questionnaire, the results with
totals and reasons, the district comparison, saving the profile and the push that lands
in the inbox (政策找人, 免申即享)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from talentport.people.models import Role, User
from talentport.policies.services import policies_sync, policy_links_sync

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_catalog"),
]

PASSWORD = "Returnee-2026!"
# label of the answer to click (choice questions) or text to type (dates)
ANSWERS = {
    "您的最高学历是？": "博士研究生",
    "最高学历是在国（境）外院校取得的吗？": "是",
    "您的毕业日期是？": "2025-01-20",
    "您目前的就业状态是？": "在单位就业",
    "您在哪个城市就业创业？": "青岛市",
    "工作单位（或创业企业）在哪个区（市）？": "市北区",
    "您从哪天开始在该城市就业创业？": "2025-04-01",
    "是否已取得教育部留学服务中心国（境）外学历学位认证书？": "是",
}


def test_questionnaire_results_comparison_and_push(
    live_server: Any, browser: Any, screenshots: Path
) -> None:
    # given: the policies in force, linked to their guides, and a signed-up returnee
    policies_sync()
    policy_links_sync()
    User.objects.create_user(
        username="wang_doctor", password=PASSWORD, role=Role.APPLICANT, email="w@example.cn"
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/?next=/policies/check/")
        page.get_by_label("用户名").fill("wang_doctor")
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(re.compile(r"/policies/check/$"))

        # when: answering only what the platform asks, skipping what they don't know
        page.get_by_role("button", name="开始测评").click()
        asked: list[str] = []
        for _ in range(60):
            if "/policies/check/results/" in page.url:
                break
            legend = page.locator("legend").inner_text().strip()
            assert legend not in asked, "a question is never asked twice"
            asked.append(legend)
            progress = page.locator(".progress p").inner_text()
            assert "已回答" in progress
            if len(asked) == 3:
                page.screenshot(path=str(screenshots / "policies-mobile-question.png"))
            answer = ANSWERS.get(legend)
            if answer is None:
                page.get_by_role("button", name="不清楚，跳过").click()
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", answer):
                page.locator("input[type=date]").fill(answer)
                page.get_by_role("button", name="下一题").click()
            else:
                page.locator(".choice-list label", has_text=answer).first.click()
                page.get_by_role("button", name="下一题").click()
            page.wait_for_load_state()
        assert "/policies/check/results/" in page.url
        assert asked[0] == "您的最高学历是？"

        # then: the total, the housing subsidy with its amount and closing date
        assert page.locator("[data-testid=total]").inner_text().strip() == "43,200"
        housing = page.locator("#qingdao\\.graduate_housing_subsidy").first
        assert "1,200" in housing.inner_text() and "2028-04-01" in housing.inner_text()
        # and the district comparison lists every Qingdao district, best first
        rows = page.locator("table.compare-table tbody tr")
        assert rows.count() == 12
        assert page.locator("tr.current").get_attribute("data-district") == "shibei"
        page.screenshot(path=str(screenshots / "policies-mobile-results.png"), full_page=True)

        # when: saving the profile (政策找人 runs for it)
        page.get_by_role("button", name="保存我的画像并接收政策推送").click()
        page.wait_for_url(re.compile(r"/policies/check/results/"))
        assert "已保存" in page.content()

        # then: the inbox has one notice listing what was found (政策找人), once
        page.goto(live_server.url + "/inbox/")
        notices = page.locator(".result-list li", has_text="项可享受的政策")
        assert notices.count() == 1
        page.screenshot(path=str(screenshots / "policies-mobile-inbox.png"), full_page=True)

        # and the result links to the guide of the service that pays it
        page.goto(live_server.url + "/policies/check/results/")
        page.locator("#qingdao\\.graduate_housing_subsidy h3 a").first.click()
        page.wait_for_url(re.compile(r"/services/[0-9a-f-]{36}/$"))
        assert page.locator("h1").inner_text().strip() == "高校毕业生住房补贴"
    finally:
        context.close()
