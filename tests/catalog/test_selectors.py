"""Catalog reads other than search."""

from __future__ import annotations

import pytest

from talentport.catalog import selectors
from talentport.catalog.models import Department, ServiceItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_catalog")]


def test_service_item_get():
    item = ServiceItem.objects.get(code="liaocheng-medical-care-card")
    found = selectors.service_item_get(uuid=item.uuid)
    assert found == item
    assert len(found.materials.all()) == 4
    with pytest.raises(ServiceItem.DoesNotExist):
        selectors.service_item_get(uuid="00000000-0000-0000-0000-000000000000")


def test_department_list_and_get():
    qingdao = selectors.department_list(city="qingdao")
    names = {d.name for d in qingdao}
    assert "青岛市公共就业和人才服务中心国际合作交流部" in names
    assert "市南区人力资源和社会保障局人才引进科" in names  # districts belong to the city
    assert "威海市公安局" not in names
    weihai = selectors.department_list(city="weihai")
    assert len(weihai) == 8
    assert len(selectors.department_list()) == Department.objects.count()
    d = Department.objects.get(code="qd-center-intl")
    assert selectors.department_get(uuid=d.uuid) == d
    assert d.parent is not None and d.parent.name == "青岛市公共就业和人才服务中心"


def test_service_item_list_for_department():
    d = Department.objects.get(code="qd-center-employment")
    titles = [i.title for i in selectors.service_item_list_for_department(department=d)]
    assert titles == [
        "就业登记",
        "离校未就业毕业生实名登记",
        "青年就业见习计划",
        "灵活就业社会保险补贴",
        "用人单位吸纳就业社会保险补贴",
    ]
    united_front = Department.objects.get(code="wh-united-front")
    assert [
        i.title for i in selectors.service_item_list_for_department(department=united_front)
    ] == ["留学人才联谊交流"]
    assert (
        selectors.service_item_list_for_department(department=united_front, include_partner=False)
        == []
    )


def test_jurisdictions():
    codes = [j.code for j in selectors.jurisdiction_list()]
    assert codes[:2] == ["shandong", "qingdao"]
    assert set(codes) >= {"weihai", "liaocheng", "shinan", "ftz", "hightech"}
    ftz = selectors.jurisdiction_get_by_code("ftz")
    assert ftz is not None and ftz.level == "zone" and ftz.division_code == ""
    assert selectors.jurisdiction_get_by_code("nowhere") is None


def test_specialists():
    assert len(selectors.specialist_list()) == 13
    assert len(selectors.specialist_list(city="qingdao")) == 13
    assert selectors.specialist_list(city="weihai") == []
    pingdu = selectors.specialist_list(district="pingdu")
    assert [s.name for s in pingdu] == ["潘俊杰", "陈雪超"]


def test_categories_and_life_events():
    assert selectors.category_list(city="qingdao") == [
        "公共服务类",
        "住房类",
        "就业类",
        "创业类",
        "区市特色清单",
    ]
    assert selectors.category_list(city="weihai") == ["政务服务类", "增值服务类"]
    events = selectors.life_event_list()
    assert [e.code for e in events][:2] == ["study-abroad-prep", "while-abroad"]
    assert all(e.service_count > 0 for e in events)


def test_catalog_counts():
    counts = selectors.catalog_counts()
    assert counts["services_by_city"] == {"qingdao": 42, "weihai": 30, "liaocheng": 10}
    assert counts["services"] == 82
    assert counts["specialists"] == 13
