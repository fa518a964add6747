"""Every shipped policy's own cases (profile → expected status and amount)."""

from __future__ import annotations

import pytest

from talentport.policies.engine import load_policies, run_policy_cases

POLICIES = load_policies()


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
def test_policy_cases(policy) -> None:
    assert policy.cases, f"{policy.id} has no cases"
    assert run_policy_cases(policy, POLICIES) == []


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.id)
def test_policy_metadata(policy) -> None:
    assert policy.title and policy.citation and policy.source_text
    assert policy.kind in ("universal", "selective")
    assert policy.catalog_service
    assert policy.jurisdiction.split(".")[0] in ("qingdao", "liaocheng", "weihai")


def test_failing_case_is_reported() -> None:
    from talentport.policies.engine.model import parse_policy_data

    policy = POLICIES[0]
    raw = {
        "id": "qingdao.test_only",
        "title": "测试",
        "jurisdiction": "qingdao",
        "kind": "universal",
        "source": {"text": "x", "citation": "y"},
        "benefit": {"kind": "service"},
        "conditions": [{"label": "留学", "when": "education.overseas"}],
        "cases": [
            {
                "name": "错",
                "profile": {"education": {"overseas": True}},
                "expect": {"status": "ineligible"},
            }
        ],
    }
    failures = run_policy_cases(parse_policy_data(raw), [policy])
    assert len(failures) == 1 and "status" in failures[0]
