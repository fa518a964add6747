from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from talentport.policies.engine import evaluate

from .conftest import EXAMPLES, load_json

CASES = sorted(EXAMPLES.glob("*.profile.json"))
CONTRACT_IDS = """qingdao.graduate_housing_subsidy qingdao.settle_allowance qingdao.internship_allowance
qingdao.startup_support_plan qingdao.startup_subsidy qingdao.shinan.life_allowance
qingdao.shinan.settle_allowance_topup qingdao.laoshan.life_allowance qingdao.pingdu.life_allowance
qingdao.laixi.housing_voucher qingdao.ftz.postgraduate_allowance qingdao.hightech.life_allowance
liaocheng.living_allowance liaocheng.rent_allowance""".split()


def _check(doc: dict, expect: dict) -> None:
    got = {r["policy"]: r for r in doc["results"]}
    for policy, want in expect.items():
        r = got[policy]
        assert r["status"] == want["status"], policy
        if "max_total" in want:
            assert r["benefit"]["max_total"] == want["max_total"]
        if "window_closes" in want:
            assert r["window_closes"] == want["window_closes"]
        for m in want.get("missing_includes", []):
            assert m in r["missing"]


@pytest.mark.parametrize("profile", CASES, ids=lambda p: p.name)
def test_contract_example_in_process(profile: Path) -> None:
    expect = load_json(profile.with_name(profile.name.replace(".profile.json", ".expect.json")))
    _check(evaluate(load_json(profile)), expect)


@pytest.mark.parametrize("profile", CASES, ids=lambda p: p.name)
def test_contract_example_cli(profile: Path) -> None:
    expect = load_json(profile.with_name(profile.name.replace(".profile.json", ".expect.json")))
    proc = subprocess.run(
        [sys.executable, "-m", "talentport.cli", "eligibility", str(profile)],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    _check(doc, expect)
    if profile.name.startswith("shibei"):
        # the raw JSON carries whole numbers as integers
        assert b'"max_total":43200' in proc.stdout
        assert b'"per_period":1200' in proc.stdout


def test_every_contract_id_is_defined(policies: list) -> None:
    ids = {p.id for p in policies}
    assert set(CONTRACT_IDS) <= ids
    assert len(ids) >= 40


def test_every_policy_in_every_result(policies: list) -> None:
    doc = evaluate({})
    assert [r["policy"] for r in doc["results"]] == [p.id for p in policies]
    assert doc["totals"] == {"max_total": 0}


def test_contract_document_shape() -> None:
    doc = evaluate(load_json(EXAMPLES / "shibei-doctor.profile.json"))
    assert doc["as_of"] == "2026-11-22"
    r = next(r for r in doc["results"] if r["policy"] == "qingdao.graduate_housing_subsidy")
    for key in (
        "policy",
        "title",
        "jurisdiction",
        "status",
        "benefit",
        "window_closes",
        "reasons",
        "missing",
        "excluded_by",
    ):
        assert key in r
    assert r["benefit"] == {
        "kind": "cash",
        "per_period": 1200,
        "period": "month",
        "max_periods": 36,
        "max_total": 43200,
    }
    assert all({"condition", "met", "source"} <= set(x) for x in r["reasons"])
    assert r["reasons"][0]["source"] == "青岛市留学人员服务清单 第11项"
    eligible = [
        x["benefit"]["max_total"]
        for x in doc["results"]
        if x["status"] == "eligible" and x["benefit"] and x["benefit"]["max_total"]
    ]
    assert doc["totals"]["max_total"] == sum(eligible) == 43200 + 150000
