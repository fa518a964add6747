"""Catalog API (contract §6): shapes, ranking, filters, pagination and errors."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_catalog")]

LIST_KEYS = {"id", "title", "city", "district", "stage", "category", "department", "phone"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def get_json(client: Any, url: str, params: dict[str, Any] | None = None, status: int = 200) -> Any:
    response = client.get(url, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def assert_error(body: dict[str, Any], field: str) -> dict[str, str]:
    assert set(body) == {"errors"}
    fields = [item["field"] for item in body["errors"]]
    assert field in fields, body
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message"}
        assert CJK.search(item["message"]), item
    return next(item for item in body["errors"] if item["field"] == field)


def all_pages(client: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    body = get_json(client, "/api/v1/services", params)
    results = list(body["results"])
    while body["next"]:
        body = get_json(client, body["next"])
        results.extend(body["results"])
    return results


# --- shape -------------------------------------------------------------------------


def test_services_list_has_the_contract_shape(client):
    # when
    body = get_json(client, "/api/v1/services")
    # then
    assert {"count", "results", "next"} <= set(body)
    assert isinstance(body["count"], int) and body["count"] > 0
    assert 0 < len(body["results"]) <= 20
    for item in body["results"]:
        assert LIST_KEYS <= set(item)
        uuid.UUID(item["id"])
        assert item["city"] in {"qingdao", "weihai", "liaocheng"}
        assert item["district"] is None or isinstance(item["district"], str)
        assert item["stage"] in {"before", "abroad", "after", None}
        assert isinstance(item["title"], str) and item["title"]
        assert isinstance(item["category"], str)
        assert isinstance(item["department"], str) and item["department"]
        assert isinstance(item["phone"], str)


def test_district_items_name_their_city_and_district(client):
    body = get_json(client, "/api/v1/services", {"district": "shinan", "page_size": 100})
    assert body["results"]
    assert {(item["city"], item["district"]) for item in body["results"]} == {("qingdao", "shinan")}


# --- search ranking -----------------------------------------------------------------


@pytest.mark.parametrize("q", ["zfbt", "zhufangbutie", "住房补贴", "高校毕业生住房补贴"])
def test_search_puts_the_best_match_first(client, q):
    body = get_json(client, "/api/v1/services", {"q": q})
    assert body["results"], q
    assert body["results"][0]["title"] == "高校毕业生住房补贴"


def test_pinyin_anjiafei_finds_the_settle_allowance_first(client):
    body = get_json(client, "/api/v1/services", {"q": "anjiafei"})
    assert body["results"]
    assert "安家费" in body["results"][0]["title"]


def test_search_endpoint_ranks_like_services(client):
    services = get_json(client, "/api/v1/services", {"q": "zfbt"})
    search = get_json(client, "/api/v1/search", {"q": "zfbt"})
    assert [item["id"] for item in search["results"]] == [
        item["id"] for item in services["results"]
    ]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_search_without_text_is_400(client, params):
    body = get_json(client, "/api/v1/search", params, status=400)
    assert assert_error(body, "q")["message"] == "请输入搜索内容"


def test_search_without_match_is_an_empty_page(client):
    body = get_json(client, "/api/v1/services", {"q": "量子引力弦论"})
    assert body["count"] == 0
    assert body["results"] == []
    assert body["next"] is None


# --- filters -------------------------------------------------------------------------


def test_filter_by_city(client):
    results = all_pages(client, {"city": "qingdao", "page_size": 100})
    assert results
    assert {item["city"] for item in results} == {"qingdao"}


def test_filter_by_stage(client):
    results = all_pages(client, {"stage": "after", "page_size": 100})
    assert results
    assert {item["stage"] for item in results} == {"after"}


def test_filter_by_category(client):
    results = all_pages(client, {"category": "住房类", "page_size": 100})
    assert results
    assert {item["category"] for item in results} == {"住房类"}


def test_filters_combine_with_search(client):
    body = get_json(client, "/api/v1/services", {"q": "安家费", "district": "shinan"})
    assert body["results"]
    assert all(item["district"] == "shinan" for item in body["results"])


def test_blank_filters_are_ignored(client):
    everything = get_json(client, "/api/v1/services")
    blank = get_json(client, "/api/v1/services", {"city": "", "district": "", "stage": ""})
    assert blank["count"] == everything["count"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"city": "beijing"}, "city"),
        ({"city": "shinan"}, "city"),
        ({"district": "nowhere"}, "district"),
        ({"district": "qingdao"}, "district"),
        ({"city": "weihai", "district": "shinan"}, "district"),
        ({"stage": "later"}, "stage"),
        ({"kind": "magic"}, "kind"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"on": "2026-13-01"}, "on"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_field(client, params, field):
    body = get_json(client, "/api/v1/services", params, status=400)
    assert_error(body, field)


def test_every_bad_parameter_is_reported(client):
    body = get_json(client, "/api/v1/services", {"city": "x", "stage": "y", "page": "z"}, 400)
    assert {item["field"] for item in body["errors"]} == {"city", "stage", "page"}


# --- pagination ----------------------------------------------------------------------


def test_pages_chain_through_next_and_cover_everything_once(client):
    # given
    total = get_json(client, "/api/v1/services")["count"]
    # when
    results = all_pages(client, {"page_size": 7})
    # then
    ids = [item["id"] for item in results]
    assert len(ids) == total
    assert len(set(ids)) == total


def test_next_keeps_the_filters(client):
    body = get_json(client, "/api/v1/services", {"city": "qingdao", "page_size": 5})
    assert body["count"] > 5
    assert "city=qingdao" in body["next"]
    assert "page=2" in body["next"]
    assert body["next"].startswith("http://testserver/api/v1/services?")
    second = get_json(client, body["next"])
    assert second["previous"] is not None
    assert {item["id"] for item in second["results"]}.isdisjoint(
        {item["id"] for item in body["results"]}
    )


def test_default_page_size_is_20(client):
    body = get_json(client, "/api/v1/services")
    assert len(body["results"]) == min(20, body["count"])
    assert (body["next"] is None) == (body["count"] <= 20)


def test_last_page_has_no_next(client):
    count = get_json(client, "/api/v1/services")["count"]
    last = (count + 9) // 10
    body = get_json(client, "/api/v1/services", {"page": last, "page_size": 10})
    assert body["next"] is None
    assert len(body["results"]) == count - (last - 1) * 10


def test_page_beyond_the_last_is_404_naming_page(client):
    count = get_json(client, "/api/v1/services")["count"]
    body = get_json(client, "/api/v1/services", {"page": count + 1}, status=404)
    assert assert_error(body, "page")["code"] == "not_found"


# --- service detail ------------------------------------------------------------------


def service_id(client: Any, q: str) -> str:
    return get_json(client, "/api/v1/services", {"q": q})["results"][0]["id"]


def test_service_detail_is_the_full_guide(client):
    # given
    item_id = service_id(client, "高校毕业生住房补贴")
    # when
    body = get_json(client, f"/api/v1/services/{item_id}")
    # then
    assert body["id"] == item_id
    assert body["title"] == "高校毕业生住房补贴"
    for key in (
        "content",
        "applicants",
        "procedure",
        "legal_basis",
        "legal_limit_days",
        "promised_limit_days",
        "fees",
        "result",
        "where_to_apply",
        "online_entry",
        "in_person",
        "materials",
        "source",
        "valid_from",
        "valid_to",
    ):
        assert key in body, key
    assert body["department"]["name"]
    assert "phone" in body["department"]
    uuid.UUID(body["department"]["id"])
    assert body["phone"]
    assert "qingdao.graduate_housing_subsidy" in body["policies"]
    assert isinstance(body["materials"], list)


def test_list_url_points_at_the_detail(client):
    item = get_json(client, "/api/v1/services")["results"][0]
    detail = get_json(client, item["url"])
    assert detail["id"] == item["id"]


@pytest.mark.parametrize("path", ["0b6f2d1e-6a1c-4f7e-9a55-3d0c2f0e7b41", "not-a-uuid", "123"])
def test_unknown_or_malformed_service_is_json_404(client, path):
    body = get_json(client, f"/api/v1/services/{path}", status=404)
    assert assert_error(body, "id")["code"] == "not_found"


# --- departments, jurisdictions, specialists, life events ---------------------------


def test_departments_list_and_detail(client):
    # given
    body = get_json(client, "/api/v1/departments", {"city": "qingdao"})
    assert body["count"] == len(body["results"]) > 0
    assert {item["city"] for item in body["results"]} == {"qingdao"}
    with_services = get_json(client, "/api/v1/services")["results"][0]
    department = next(d for d in body["results"] if d["name"] == with_services["department"])
    # when
    detail = get_json(client, f"/api/v1/departments/{department['id']}")
    # then
    assert detail["name"] == department["name"]
    assert "responsibilities" in detail
    assert with_services["id"] in detail["services"]


def test_departments_bad_city_is_400(client):
    assert_error(get_json(client, "/api/v1/departments", {"city": "mars"}, status=400), "city")


@pytest.mark.parametrize("path", ["0b6f2d1e-6a1c-4f7e-9a55-3d0c2f0e7b41", "nope"])
def test_unknown_department_is_json_404(client, path):
    assert_error(get_json(client, f"/api/v1/departments/{path}", status=404), "id")


def test_jurisdictions_list_the_contract_ids(client):
    body = get_json(client, "/api/v1/jurisdictions")
    by_id = {item["id"]: item for item in body["results"]}
    assert {"qingdao", "shinan", "shibei", "laoshan", "hightech", "ftz"} <= set(by_id)
    assert by_id["qingdao"]["level"] == "city"
    assert by_id["shinan"]["parent"] == "qingdao"
    assert by_id["shinan"]["name"] == "市南区"


def test_specialists_filter_by_district(client):
    body = get_json(client, "/api/v1/specialists", {"city": "qingdao", "district": "shinan"})
    assert body["results"]
    for item in body["results"]:
        assert item["district"] == "shinan"
        assert item["phone"]
        assert item["name"]


def test_specialists_district_outside_city_is_400(client):
    body = get_json(client, "/api/v1/specialists", {"city": "liaocheng", "district": "shinan"}, 400)
    assert_error(body, "district")


def test_life_events_list(client):
    body = get_json(client, "/api/v1/life-events")
    assert body["count"] == len(body["results"])
    for item in body["results"]:
        assert {"id", "title", "stage", "services"} <= set(item)


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert "errors" in response.json()
