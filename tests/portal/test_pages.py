"""Public portal pages: home, browse, guides, departments, specialists, errors, language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from talentport.catalog import selectors as catalog_selectors
from talentport.catalog.models import Department, ServiceItem
from talentport.portal.qr import qr_svg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_catalog")]

HOUSING = "高校毕业生住房补贴"
CJK = re.compile(r"[\u4e00-\u9fff]")


def housing_item() -> ServiceItem:
    return next(i for i in catalog_selectors.service_item_search(q=HOUSING) if i.title == HOUSING)


def text(response: Any) -> str:
    return response.content.decode("utf-8")


# --- home ----------------------------------------------------------------------------


def test_home_offers_search_stages_life_events_and_cities(client):
    # when
    response = client.get("/")
    # then
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="zh-Hans">' in body
    assert 'class="skip-link" href="#main"' in body
    assert '<label for="home-q">' in body and 'id="home-q" name="q"' in body
    for stage in ("出国前", "留学期间", "回国后"):
        assert stage in body
    for stage in ("before", "abroad", "after"):
        assert "?stage=" + stage in body
    for city in ("青岛市", "威海市", "聊城市"):
        assert city in body
    for event in catalog_selectors.life_event_list():
        assert "?life_event=" + event.code in body
    assert 'action="/i18n/setlang/"' in body and ">English<" in body and ">中文<" in body


# --- browse --------------------------------------------------------------------------


def test_browse_without_filters_lists_every_current_item_paginated(client):
    # when
    response = client.get("/services/")
    # then
    assert response.status_code == 200
    total = len(catalog_selectors.service_item_search())
    assert response.context["count"] == total
    assert len(response.context["rows"]) == min(10, total)
    assert ("第" in text(response)) or ("下一页" in text(response)) or total <= 10


def test_browse_rows_show_title_place_stage_department_and_phone(client):
    # when
    response = client.get("/services/", {"q": HOUSING})
    # then
    body = text(response)
    first = response.context["rows"][0]["item"]
    assert first.title == HOUSING
    assert HOUSING in body and "青岛市" in body and "回国后" in body
    assert first.department.name in body
    assert "0532-66711723" in body and 'href="tel:053266711723"' in body


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"city": "qingdao"}, lambda item: item.jurisdiction.city.code == "qingdao"),
        ({"city": "weihai"}, lambda item: item.jurisdiction.city.code == "weihai"),
        ({"stage": "after"}, lambda item: item.stage == "after"),
        ({"kind": "government"}, lambda item: item.kind == "government"),
        (
            {"city": "qingdao", "district": "laixi"},
            lambda item: item.jurisdiction.code == "laixi",
        ),
        (
            {"city": "qingdao", "stage": "after", "q": "补贴"},
            lambda item: item.jurisdiction.city.code == "qingdao" and item.stage == "after",
        ),
    ],
)
def test_browse_filters_combine(client, params, check):
    # when
    response = client.get("/services/", {**params, "page": 1})
    # then
    assert response.status_code == 200
    items = catalog_selectors.service_item_search(**params)
    assert response.context["count"] == len(items) > 0
    assert all(check(item) for item in items)
    assert all(check(row["item"]) for row in response.context["rows"])


def test_browse_filter_by_category_and_life_event(client):
    # given
    category = str(catalog_selectors.category_list()[0])
    event = catalog_selectors.life_event_list()[0]
    # when
    by_category = client.get("/services/", {"category": category})
    by_event = client.get("/services/", {"life_event": event.code})
    # then
    assert by_category.status_code == 200 and by_category.context["count"] > 0
    assert all(row["item"].category == category for row in by_category.context["rows"])
    assert by_event.status_code == 200


def test_browse_district_alone_implies_its_city(client):
    response = client.get("/services/", {"district": "shinan"})
    assert response.status_code == 200
    assert all(row["item"].jurisdiction.code == "shinan" for row in response.context["rows"])


def test_browse_district_select_carries_its_city_for_the_script(client):
    body = text(client.get("/services/"))
    assert 'data-depends-on="id_city"' in body
    assert re.search(r'<option value="shinan" data-city="qingdao"', body)


def test_browse_second_page_and_page_past_the_end(client):
    # given
    total = len(catalog_selectors.service_item_search())
    last = (total + 9) // 10
    # when
    second = client.get("/services/", {"page": 2})
    beyond = client.get("/services/", {"page": 9999})
    # then
    assert second.status_code == 200 and second.context["page_obj"].number == 2
    assert beyond.status_code == 200 and beyond.context["page_obj"].number == last


def test_search_by_pinyin_initials_puts_the_housing_subsidy_first(client):
    response = client.get("/services/", {"q": "zfbt"})
    assert response.status_code == 200
    assert response.context["rows"][0]["item"].title == HOUSING


# --- guide page ----------------------------------------------------------------------


def test_guide_page_shows_every_element(client):
    # given
    item = housing_item()
    # when
    response = client.get(reverse("portal:service_detail", args=[item.uuid]))
    # then
    assert response.status_code == 200
    body = text(response)
    for label in (
        "服务类别",
        "阶段",
        "服务内容",
        "申请对象及条件",
        "申请材料",
        "办理流程",
        "法定办结时限",
        "承诺办结时限",
        "收费标准",
        "办理结果",
        "办理地点（窗口）",
        "网上办理入口",
        "执行部门",
        "联系电话",
        "出处",
        "有效期",
    ):
        assert label in body, label
    assert item.department.name in body
    assert reverse("portal:department_detail", args=[item.department.uuid]) in body
    assert "0532-66711723" in body
    assert "data-print" in body and "打印" in body
    # the time limit: days when the source gives them, "未明确" otherwise
    for field, days in (
        ("legal_limit", item.legal_limit_days),
        ("promised_limit", item.promised_limit_days),
    ):
        cell = re.search(r'data-field="' + field + r'">(.*?)</td>', body, re.S)
        assert cell is not None
        expected = "未明确" if days is None else str(days) + " 个工作日"
        assert expected in cell.group(1)


def test_guide_page_says_not_specified_when_the_time_limit_is_unknown(client):
    # given
    item = next(i for i in catalog_selectors.service_item_search() if i.legal_limit_days is None)
    # when
    body = text(client.get(reverse("portal:service_detail", args=[item.uuid])))
    # then
    cell = re.search(r'data-field="legal_limit">(.*?)</td>', body, re.S)
    assert cell is not None and "未明确" in cell.group(1)


def test_guide_page_shows_working_days_when_the_time_limit_is_known(client):
    # given: the Liaocheng medical care card (seed 004: 15 working days in all)
    item = next(
        i
        for i in catalog_selectors.service_item_search()
        if i.legal_limit_days is not None or i.promised_limit_days is not None
    )
    # when
    body = text(client.get(reverse("portal:service_detail", args=[item.uuid])))
    # then
    days = item.legal_limit_days if item.legal_limit_days is not None else item.promised_limit_days
    assert str(days) + " 个工作日" in body


def test_guide_page_has_an_inline_svg_qr_code_of_its_absolute_url(client):
    # given
    item = housing_item()
    url = reverse("portal:service_detail", args=[item.uuid])
    # when
    body = text(client.get(url))
    # then
    assert '<svg role="img"' in body and "<path" in body
    expected = qr_svg("http://testserver" + url, label="x")
    paths = re.findall(r'<path[^>]*d="([^"]+)"', str(expected))
    assert paths and all(p in body for p in paths)
    assert "<img" not in body.split('class="qr"')[1].split("</aside>")[0]


def test_guide_page_lists_materials_with_requirements(client):
    items = [i for i in catalog_selectors.service_item_search() if i.materials.exists()]
    item = items[0]
    body = text(client.get(reverse("portal:service_detail", args=[item.uuid])))
    for material in item.materials.all():
        assert material.name in body


def test_print_stylesheet_hides_navigation(client):
    from django.contrib.staticfiles import finders

    path = finders.find("portal/portal.css")
    assert path is not None
    css = open(path, encoding="utf-8").read()
    print_block = css.split("@media print")[1]
    assert ".site-header" in print_block and ".site-nav" in print_block
    assert "display: none" in print_block


# --- departments and specialists ---------------------------------------------------------


def test_department_page_shows_responsibilities_phone_and_services(client):
    # given
    department = housing_item().department
    # when
    response = client.get(reverse("portal:department_detail", args=[department.uuid]))
    # then
    assert response.status_code == 200
    body = text(response)
    assert department.name in body and "职责" in body
    if department.phone:
        assert department.phone.split("；")[0].split(";")[0] in body
    assert HOUSING in body


def test_departments_list_and_city_filter(client):
    everything = client.get("/departments/")
    qingdao = client.get("/departments/", {"city": "qingdao"})
    assert everything.status_code == 200 and qingdao.status_code == 200
    assert qingdao.context["count"] <= everything.context["count"]
    first = Department.objects.first()
    assert first is not None and first.name in text(everything)


def test_specialists_page_groups_by_district_with_tel_links(client):
    # when
    response = client.get("/specialists/")
    # then
    assert response.status_code == 200
    body = text(response)
    specialists = catalog_selectors.specialist_list()
    assert len(specialists) >= 12
    for specialist in specialists:
        assert specialist.name in body
    assert body.count('href="tel:') >= len(specialists)
    assert "市南区" in body


def test_specialists_filter_by_district(client):
    response = client.get("/specialists/", {"city": "qingdao", "district": "laixi"})
    assert response.status_code == 200
    assert all(
        s.jurisdiction.code == "laixi" for _j, rows in response.context["groups"] for s in rows
    )


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/services/" + "0b6f2d1e-6a1c-4f7e-9a55-3d0c2f0e7b41" + "/",
        "/departments/" + "0b6f2d1e-6a1c-4f7e-9a55-3d0c2f0e7b41" + "/",
        "/services/abc/",
        "/services/123/",
        "/services/../../etc/passwd",
        "/services/%00/",
        "/departments/not-a-uuid/",
        "/services/" + "f" * 40 + "/",
        "/no-such-page/",
    ],
)
def test_unknown_or_malformed_ids_give_a_chinese_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = text(response)
    assert "页面不存在" in body and '<html lang="zh-Hans">' in body


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/services/", {"page": "abc"}, "页码"),
        ("/services/", {"page": "0"}, "页码"),
        ("/services/", {"page": "-1"}, "页码"),
        ("/services/", {"stage": "xyz"}, "阶段"),
        ("/services/", {"city": "nowhere"}, "城市"),
        ("/services/", {"district": "atlantis"}, "区（市）"),
        ("/services/", {"city": "weihai", "district": "shinan"}, "区（市）"),
        ("/services/", {"kind": "free-lunch"}, "服务类型"),
        ("/services/", {"category": "不存在的类别"}, "服务类别"),
        ("/services/", {"life_event": "no-such-event"}, "人生事件"),
        ("/services/", {"q": "住" * 101}, "关键词"),
        ("/departments/", {"city": "nowhere"}, "城市"),
        ("/specialists/", {"district": "nowhere"}, "区（市）"),
    ],
)
def test_malformed_query_parameters_give_a_400_naming_the_field(client, url, params, field):
    response = client.get(url, params)
    assert response.status_code == 400
    body = text(response)
    assert field in body
    assert "查询条件有误" in body


@pytest.mark.parametrize(
    "q",
    [
        "' OR 1=1 --",
        '"; DROP TABLE catalog_serviceitem; --',
        "<script>alert(1)</script>",
        "%",
        "_",
        "%%__%%",
        "\\",
        "()[]{}*+?.^$|",
        "🙂🙂🙂",
        "　",
        "   ",
        "zf bt",
        "ZFBT",
        "ā á ǎ à",
        "\u200b",
        "١٢٣",
        "住房补贴" * 25,
        "a" * 100,
        "\x00",
    ],
)
def test_odd_search_input_never_gives_a_500(client, q):
    response = client.get("/services/", {"q": q})
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in text(response)


def test_odd_query_strings_never_give_a_500(client):
    for query in ("page=1&page=2", "city=", "city=%ff", "stage[]=after", "q=%E4%BD", "&&&=&"):
        response = client.get("/services/?" + query)
        assert response.status_code in (200, 400), query


# --- language --------------------------------------------------------------------------


def test_switching_to_english_changes_the_interface_and_back(client):
    # when
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/services/"})
    # then
    assert switched.status_code == 302 and switched["Location"] == "/services/"
    body = text(client.get("/"))
    assert '<html lang="en">' in body
    assert "One-stop services for overseas students" in body
    assert "Before departure" in body and "After return" in body
    assert "Skip to main content" in body
    # and back
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = text(client.get("/"))
    assert '<html lang="zh-Hans">' in body and "出国前" in body


def test_english_guide_uses_english_titles_where_present(client):
    # given
    item = housing_item()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # when
    body = text(client.get(reverse("portal:service_detail", args=[item.uuid])))
    # then
    assert "Statutory time limit" in body
    if item.title_en:
        assert item.title_en in body
    if item.department.name_en:
        assert item.department.name_en in body


def test_english_400_names_the_field_in_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/services/", {"stage": "xyz"})
    assert response.status_code == 400
    assert "Stage" in text(response)
