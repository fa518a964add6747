"""End to end: staff import a school's Excel list in the browser, move a file to delivered,
and the parent (guardian account) follows each step on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from talentport.common.idcard import id_card_check_digit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Archive-e2e-2025!"
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _id(birth: str, serial: int) -> str:
    first17 = f"370202{birth}{serial:03d}"
    return first17 + id_card_check_digit(first17)


def _login(page: Any, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_import_deliver_and_parent_follows(
    live_server: Any, browser: Any, screenshots: Path, tmp_path: Path, django_user_model: Any
) -> None:
    # given: a staff member, a parent account and a school's list (one bad row)
    window = django_user_model.objects.create_user(
        username="window1", password=PASSWORD, role="window_specialist", display_name="王专员"
    )
    from talentport.people.models import StaffScope

    StaffScope.objects.create(user=window, jurisdiction="qingdao")
    django_user_model.objects.create_user(username="parent1", password=PASSWORD, role="guardian")
    minor = _id("20120315", 21)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "班级", "监护人姓名", "监护人电话"])
    sheet.append(["小明", minor, "高一（2）班", "王母", "13800138000"])
    sheet.append(["小红", minor[:-1] + ("0" if minor[-1] != "0" else "1"), "高一（2）班", "", ""])
    xlsx = tmp_path / "二中交接名单.xlsx"
    workbook.save(xlsx)

    base = live_server.url
    staff_ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    parent_ctx = browser.new_context(viewport=MOBILE, locale="zh-CN")
    staff, parent = staff_ctx.new_page(), parent_ctx.new_page()
    try:
        # when: staff upload the list in the browser
        _login(staff, base, "window1")
        staff.goto(base + "/archives/staff/")
        staff.get_by_role("link", name="导入交接名单").click()
        staff.get_by_label("移交学校").fill("青岛二中")
        staff.get_by_label("交接名单（Excel .xlsx）").set_input_files(str(xlsx))
        staff.get_by_role("button", name="导入").click()
        report = staff.get_by_test_id("import-report")
        report.wait_for()

        # then: a per-row report
        assert "已接收 1 份档案，退回 1 行" in report.inner_text()
        assert "校验码" in report.locator("table").inner_text()
        staff.screenshot(path=str(screenshots / "archives-import.png"), full_page=True)

        # when: staff open the file and let the parent follow it (the student is a minor)
        staff.get_by_role("link", name="查看本批次").click()
        staff.get_by_role("link", name="小明").click()
        staff.wait_for_url(re.compile(r"/archives/staff/files/[0-9a-f-]{36}/$"))
        assert "3702**********" in staff.locator('[data-field="id_card"]').inner_text()
        staff.get_by_label("监护人账户名").fill("parent1")
        staff.get_by_role("button", name="添加监护人").click()
        staff.wait_for_load_state()
        file_url = staff.url.split("?")[0]

        _login(parent, base, "parent1")
        parent.goto(base + "/archives/my/")
        parent.get_by_role("link", name=re.compile("小明")).click()
        parent.wait_for_url(re.compile(r"/archives/my/[0-9a-f-]{36}/$"))
        parent_url = parent.url
        assert parent.get_by_test_id("status").inner_text().strip() == "已接收"

        steps: list[tuple[str, str, dict[str, str]]] = [
            ("stored", "已入库", {}),
            ("materials_added", "已补充材料", {"#id_materials": "高中学籍档案、体检表"}),
            ("transfer_requested", "已申请转递", {"#id_hukou_city": "青岛市市南区"}),
            ("in_transit", "转递中", {"#id_courier_number": "JY-2025-0001"}),
            ("delivered", "已送达", {}),
        ]
        for state, label, fields in steps:
            # staff do the next step
            staff.goto(file_url)
            staff.locator("#id_to_state").select_option(state)
            if state == "transfer_requested":
                staff.locator("#id_employment_kind").select_option("unemployed")
            for selector, value in fields.items():
                staff.locator(selector).fill(value)
            staff.get_by_role("button", name="提交").click()
            staff.wait_for_load_state()
            assert staff.get_by_test_id("status").inner_text().strip() == label

            # the parent sees it on the phone, the current step styled apart from the others
            parent.goto(parent_url)
            assert parent.get_by_test_id("status").inner_text().strip() == label
            timeline = parent.get_by_test_id("timeline")
            assert timeline.locator(f'li[data-action="{state}"]').count() >= 1
            current = parent.locator('[data-testid="steps"] li[aria-current="step"]')
            assert current.get_attribute("data-step") == state
            assert "当前" in current.inner_text()
            look = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).fontWeight]"
            todo = parent.locator('[data-testid="steps"] li.is-todo')
            if todo.count():
                assert current.evaluate(look) != todo.first.evaluate(look)

            if state == "transfer_requested":
                # staff correct a wrong request: cancelled with a reason, back to 已补充材料
                staff.get_by_label("撤销原因").fill("户籍地填写有误")
                staff.get_by_role("button", name="撤销转递申请").click()
                staff.wait_for_load_state()
                assert staff.get_by_test_id("status").inner_text().strip() == "已补充材料"
                parent.goto(parent_url)
                assert parent.get_by_test_id("status").inner_text().strip() == "已补充材料"
                assert "户籍地填写有误" in parent.get_by_test_id("timeline").inner_text()
                # and file the request again
                staff.locator("#id_to_state").select_option(state)
                staff.locator("#id_employment_kind").select_option("unemployed")
                staff.locator("#id_hukou_city").fill("青岛市市南区")
                staff.get_by_role("button", name="提交").click()
                staff.wait_for_load_state()
                assert staff.get_by_test_id("status").inner_text().strip() == label

        timeline_text = parent.get_by_test_id("timeline").inner_text()
        for text in (
            "学校移交",
            "档案已入库",
            "高中学籍档案",
            "青岛市市南区公共就业和人才服务机构",
            "JY-2025-0001",
            "已送达接收单位",
        ):
            assert text in timeline_text, text
        assert minor not in parent.content()
        parent.screenshot(path=str(screenshots / "archives-parent-timeline.png"), full_page=True)

        # the parent's inbox has one message per step, the courier number included
        parent.goto(base + "/inbox/")
        inbox = parent.locator("main").inner_text()
        for title in (
            "档案已入库",
            "档案已补充材料",
            "档案转递申请已撤销",
            "档案转递中",
            "档案已送达",
        ):
            assert title in inbox, title
        assert "JY-2025-0001" in inbox

        # and a guardian of someone else gets nothing
        django_user_model.objects.create_user(username="other", password=PASSWORD, role="guardian")
        other = browser.new_context(viewport=MOBILE).new_page()
        _login(other, base, "other")
        response = other.goto(parent_url)
        assert response is not None and response.status == 404
        other.context.close()
    finally:
        staff_ctx.close()
        parent_ctx.close()
