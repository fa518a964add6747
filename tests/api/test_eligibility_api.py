"""POST /api/v1/eligibility (contract §2): the engine's document, or a 400 per problem."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/eligibility"
CJK = re.compile(r"[\u4e00-\u9fff]")

# The contract's worked example (contracts/examples/shibei-doctor.profile.json) and
# what its expect file says about it.
SHIBEI_DOCTOR: dict[str, Any] = {
    "as_of": "2026-11-22",
    "person": {"birth_date": "1991-04-02"},
    "education": {
        "degree": "doctor",
        "overseas": True,
        "full_time": True,
        "graduation_date": "2025-01-20",
        "cscse_certified": True,
    },
    "employment": {
        "kind": "employee",
        "city": "qingdao",
        "district": "shibei",
        "employer_type": "state_owned_enterprise",
        "start_date": "2025-04-01",
        "first_in_city": True,
    },
    "housing": {
        "bought_home": {
            "date": "2025-10-01",
            "city": "qingdao",
            "district": "shibei",
            "only_home_in_city": True,
        },
        "owns_commercial_home_in": ["shibei"],
    },
}
SHIBEI_DOCTOR_EXPECT: dict[str, dict[str, Any]] = {
    "qingdao.graduate_housing_subsidy": {
        "status": "eligible",
        "max_total": 43200,
        "window_closes": "2028-04-01",
    },
    "qingdao.settle_allowance": {"status": "eligible", "max_total": 150000},
    "qingdao.shinan.settle_allowance_topup": {"status": "ineligible"},
    "qingdao.pingdu.life_allowance": {"status": "ineligible"},
}
RESULT_KEYS = {
    "policy",
    "title",
    "jurisdiction",
    "status",
    "benefit",
    "window_closes",
    "reasons",
    "missing",
    "excluded_by",
}


def post(client: Any, body: Any, *, query: str = "", content_type: str = "application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(f"{URL}{query}", data=data, content_type=content_type)


def errors_of(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"errors"}
    assert body["errors"]
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message"}
        assert CJK.search(item["message"]), item
    return body["errors"]


# --- 200 ---------------------------------------------------------------------------


def test_contract_example_gets_the_expected_statuses(client):
    # when
    response = post(client, SHIBEI_DOCTOR)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == "2026-11-22"
    by_policy = {result["policy"]: result for result in body["results"]}
    for policy, expected in SHIBEI_DOCTOR_EXPECT.items():
        result = by_policy[policy]
        assert result["status"] == expected["status"], policy
        if "max_total" in expected:
            assert result["benefit"]["max_total"] == expected["max_total"], policy
        if "window_closes" in expected:
            assert result["window_closes"] == expected["window_closes"], policy
    for result in body["results"]:
        assert RESULT_KEYS <= set(result)
        assert result["status"] in {"eligible", "ineligible", "needs_info", "excluded"}
    eligible_total = sum(
        (r["benefit"] or {}).get("max_total") or 0
        for r in body["results"]
        if r["status"] == "eligible"
    )
    assert body["totals"]["max_total"] == eligible_total


def test_as_of_query_parameter_wins_over_the_body(client):
    response = post(client, SHIBEI_DOCTOR, query="?as_of=2027-01-05")
    assert response.status_code == 200, response.content
    assert response.json()["as_of"] == "2027-01-05"


def test_empty_profile_is_evaluated_with_needs_info(client):
    response = post(client, {"as_of": "2026-11-22"})
    assert response.status_code == 200, response.content
    statuses = {result["status"] for result in response.json()["results"]}
    assert "needs_info" in statuses
    assert "eligible" not in statuses


def test_body_is_read_as_json_whatever_the_content_type(client):
    # curl -d sends application/x-www-form-urlencoded by default
    response = post(client, SHIBEI_DOCTOR, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content


# --- 400 ---------------------------------------------------------------------------


def with_change(path: str, value: Any) -> dict[str, Any]:
    profile = copy.deepcopy(SHIBEI_DOCTOR)
    *parents, leaf = path.split(".")
    node = profile
    for key in parents:
        node = node[key]
    node[leaf] = value
    return profile


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("education.degree", "phd"),
        ("education.degree", 5),
        ("education.overseas", "yes"),
        ("person.birth_date", "1991-02-30"),
        ("person.birth_date", 19910402),
        ("employment.kind", "astronaut"),
        ("employment.contract_years", "three"),
        ("employment", "employee"),
    ],
)
def test_invalid_field_is_400_naming_it(client, path, value):
    errors = errors_of(post(client, with_change(path, value)))
    assert path in {item["field"] for item in errors}, errors


def test_graduation_before_birth_is_400(client):
    profile = with_change("education.graduation_date", "1980-06-30")
    errors = errors_of(post(client, profile))
    fields = {item["field"] for item in errors}
    assert fields & {"education.graduation_date", "person.birth_date"}, errors


def test_each_problem_is_reported(client):
    profile = with_change("education.degree", "phd")
    profile["employment"]["kind"] = "astronaut"
    fields = {item["field"] for item in errors_of(post(client, profile))}
    assert {"education.degree", "employment.kind"} <= fields


@pytest.mark.parametrize("body", ['{"education": ', "not json", "{'a': 1}", "NaN", "\xff"])
def test_malformed_json_is_400(client, body):
    errors = errors_of(post(client, body))
    assert errors[0]["code"] == "parse_error"


@pytest.mark.parametrize("body", [[SHIBEI_DOCTOR], "profile", 42, None])
def test_body_that_is_not_an_object_is_400(client, body):
    errors_of(post(client, json.dumps(body)))


def test_empty_body_is_400(client):
    errors_of(post(client, b""))


@pytest.mark.parametrize("as_of", ["2026-02-30", "tomorrow", "20261122"])
def test_bad_as_of_query_is_400(client, as_of):
    errors = errors_of(post(client, SHIBEI_DOCTOR, query=f"?as_of={as_of}"))
    assert "as_of" in {item["field"] for item in errors}


def test_bad_as_of_in_body_is_400(client):
    errors = errors_of(post(client, with_change("as_of", "22/11/2026")))
    assert "as_of" in {item["field"] for item in errors}


def test_get_is_405_in_json(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
