"""Catalog search: Chinese words, full pinyin, initials, filters, odd input."""

from __future__ import annotations

import datetime as dt

import pytest

from talentport.catalog.models import ServiceItem
from talentport.catalog.selectors import query_parse, service_item_search, service_item_search_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_catalog")]

HOUSING = "高校毕业生住房补贴"
SETTLE = "青年人才在青创新创业一次性安家费"


def titles(**kwargs) -> list[str]:
    return [i.title for i in service_item_search(**kwargs)]


@pytest.mark.parametrize(
    "q",
    [
        "zfbt",
        "住房补贴",
        "zhufang butie",
        "ZhuFang  BuTie",
        "zhufangbutie",
        "gxbyszfbt",
        "zhufang补贴",
    ],
)
def test_housing_subsidy_first(q):
    assert titles(q=q)[0] == HOUSING


@pytest.mark.parametrize("q", ["安家费", "anjiafei", "AnJiaFei", "an jia fei"])
def test_settle_allowance_first(q):
    result = titles(q=q)
    assert result[0] == SETTLE
    assert "青年领军人才创新创业一次性安家费" in result


def test_exact_title_first():
    assert titles(q="落户服务")[0] == "落户服务"
    assert titles(q="人才住房")[0] == "人才住房"


def test_title_over_body():
    # "护照" is in one title; no other item mentions it in the body
    assert titles(q="护照")[0] == "普通护照签发"
    # "驾驶证" is in the title of item 9 and in the gold card's body (驾照 is not)
    result = titles(q="驾驶证")
    assert result[0] == "境外机动车驾驶证换领服务"
    # a body-only match comes after every title match
    result = titles(q="博士后")
    in_title = [t for t in result if "博士后" in t]
    assert result[: len(in_title)] == in_title
    assert len(result) > len(in_title)


def test_question_words_do_not_block_a_match():
    assert titles(q="怎么申请住房补贴")[0] == HOUSING


def test_filters_combine_with_search():
    # city keeps the city and its districts
    result = service_item_search(q="生活补贴", city="qingdao")
    assert result
    assert all(
        i.jurisdiction.code == "qingdao" or i.jurisdiction.parent.code == "qingdao" for i in result
    )
    # a district keeps only that district
    assert titles(q="生活补贴", district="pingdu") == ["青年人才生活补贴"]
    assert titles(q="生活补贴", district="laoshan")[0] == "青年人才生活补贴"
    # another city has none of Qingdao's items
    assert HOUSING not in titles(q="住房补贴", city="liaocheng")
    # stage, kind and category
    before = service_item_search(q="签发", city="weihai", stage="before")
    assert before and all(i.stage == "before" for i in before)
    assert titles(q="培训", kind="value_added", stage="before") == ["出国(境)留学行前培训服务"]
    assert titles(q="补贴", category="住房类") == [HOUSING]
    assert titles(q="安家费", life_event="settle-housing")[0] == SETTLE
    assert titles(q="住房补贴", stage="abroad") == []


def test_filters_without_query_keep_catalog_order():
    result = service_item_search(city="qingdao")
    assert len(result) == 42
    assert [i.sequence for i in result[:22]] == [str(n) for n in range(1, 23)]
    assert len(service_item_search(city="weihai", kind="government")) == 19
    assert len(service_item_search()) == ServiceItem.objects.count()
    assert service_item_search(district="nowhere") == []


def test_empty_query_is_catalog_order():
    assert [i.pk for i in service_item_search(q="")] == [i.pk for i in service_item_search()]
    assert [i.pk for i in service_item_search(q="   ")] == [i.pk for i in service_item_search()]


@pytest.mark.parametrize(
    "q",
    [
        "住房补贴" * 500,
        "x" * 2000,
        "😀😀😀",
        "'; DROP TABLE catalog_serviceitem; --",
        "%_%",
        "？？！！。。",
        "\x00\n\t",
        "HR共享",
        "住房😀补贴",
        "ｚｆｂｔ",
    ],
)
def test_odd_queries_answer_normally(q):
    result = service_item_search(q=q)
    assert isinstance(result, list)


def test_long_query_is_truncated():
    parsed = query_parse(q="住房补贴" * 500)
    assert len(parsed.text) <= 100
    assert titles(q="住房补贴 " + "x" * 2000)[0] == HOUSING


def test_full_width_and_emoji_are_ignored():
    assert titles(q="ｚｆｂｔ")[0] == HOUSING
    assert titles(q="住房😀补贴")[0] == HOUSING
    assert titles(q="😀") == []
    assert titles(q="？！") == []


def test_validity_period(seeded_catalog):
    item = ServiceItem.objects.get(title=HOUSING)
    item.valid_to = dt.date(2020, 12, 31)
    item.save()
    assert HOUSING not in titles(q="住房补贴")
    assert titles(q="住房补贴", on=dt.date(2020, 6, 1))[0] == HOUSING


def test_index_follows_writes():
    # given a search that finds the item
    item = ServiceItem.objects.get(title="人才住房")
    assert titles(q="人才住房")[0] == "人才住房"
    # when its title is changed in the back office
    item.title = "人才公寓住房"
    item.save()
    # then the search sees the new title at once
    assert titles(q="人才公寓住房")[0] == "人才公寓住房"
    assert titles(q="rcgyzf")[0] == "人才公寓住房"


def test_page():
    page = service_item_search_page(q="补贴", offset=0, limit=5)
    assert page.count == len(service_item_search(q="补贴"))
    assert [i.pk for i in page.items] == [i.pk for i in service_item_search(q="补贴")[:5]]
