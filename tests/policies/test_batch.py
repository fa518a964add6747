"""Batch matching (contract §3): equals single eligibility; bad lines exit 2 with line numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talentport.policies.engine import evaluate, load_policies, match_rows
from talentport.policies.engine.schema import QINGDAO_DISTRICTS

from .conftest import EXAMPLES

FOUR = "qingdao.graduate_housing_subsidy,qingdao.settle_allowance,qingdao.pingdu.life_allowance,qingdao.laixi.housing_voucher"
D = sorted(QINGDAO_DISTRICTS)


def opt(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.just(None), strategy)


dates = st.dates(min_value=date(1975, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)


def section(**fields: st.SearchStrategy) -> st.SearchStrategy:
    """An object whose keys are each present or absent."""
    return st.fixed_dictionaries({}, optional=fields)


profiles = st.fixed_dictionaries(
    {},
    optional={
        "as_of": st.sampled_from(["2024-01-01", "2026-11-22", "2027-06-30"]),
        "person": section(birth_date=dates, hukou_district=st.sampled_from(D)),
        "education": section(
            degree=st.sampled_from(["associate", "bachelor", "master", "doctor"]),
            overseas=st.booleans(),
            full_time=st.booleans(),
            cscse_certified=st.booleans(),
            world_top200=st.booleans(),
            graduation_date=opt(dates),
        ),
        "employment": section(
            kind=st.sampled_from(["employee", "founder", "flexible", "none"]),
            city=st.sampled_from(["qingdao", "liaocheng"]),
            district=st.sampled_from(D),
            employer_type=st.sampled_from(
                [
                    "enterprise",
                    "small_micro_enterprise",
                    "state_owned_enterprise",
                    "government",
                    "public_institution",
                    "individual_business",
                    "social_organization",
                ]
            ),
            start_date=dates,
            first_in_city=st.booleans(),
            contract_years=st.sampled_from([0, 0.5, 1, 2.5, 3, 5]),
            social_insurance_months=st.integers(0, 12),
        ),
        "housing": section(
            bought_home=opt(
                section(
                    date=dates,
                    city=st.sampled_from(["qingdao", "other"]),
                    district=st.sampled_from(D),
                    only_home_in_city=st.booleans(),
                )
            ),
            owns_commercial_home_in=st.lists(st.sampled_from(D), max_size=2),
        ),
        "venture": section(
            entity_type=st.sampled_from(
                ["individual_business", "small_micro_enterprise", "enterprise", "cooperative"]
            ),
            city=st.sampled_from(["qingdao", "other"]),
            district=st.sampled_from(D),
            equity_share=st.sampled_from([0, 0.1, 0.333, 0.5, 1]),
            local_contribution_last_year=st.sampled_from([0, 12345.67, 1000000, 0.05]),
            selected_for_startup_support_plan=st.booleans(),
        ),
        "internship": section(at_qingdao_base=st.booleans(), days_this_month=st.integers(10, 20)),
        "postdoc": section(
            status=st.sampled_from(["in_station", "out_station"]),
            city=st.sampled_from(["qingdao"]),
            district=st.sampled_from(D),
        ),
        "liaocheng": section(
            recognized_talent=st.booleans(),
            talent_tier=st.sampled_from(["top", "high_end", "urgent", "none"]),
            professional_title=st.sampled_from(
                ["senior_full", "senior_deputy", "intermediate", "none"]
            ),
            chief_technician=st.sampled_from(
                ["municipal", "provincial", "national", "world_medal", "none"]
            ),
            uses_talent_apartment=st.booleans(),
        ),
    },
)


def _fix(p: dict) -> dict:
    # keep profiles valid: graduation / start not before birth
    birth = p.get("person", {}).get("birth_date")
    if birth:
        for sec, key in (("education", "graduation_date"), ("employment", "start_date")):
            v = p.get(sec, {}).get(key)
            if v and v < birth:
                p[sec][key] = birth
        bh = p.get("housing", {}).get("bought_home")
        if bh and bh.get("date") and bh["date"] < birth:
            bh["date"] = birth
    return p


def _single(profile: dict, policies: list) -> tuple[list[str], object]:
    doc = evaluate(profile, policies=policies)
    return [r["policy"] for r in doc["results"] if r["status"] == "eligible"], doc["totals"][
        "max_total"
    ]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(profiles.map(_fix), min_size=1, max_size=40))
def test_batch_equals_single_for_every_policy(batch: list[dict]) -> None:
    policies = load_policies()
    rows = [{"id": i, **p} for i, p in enumerate(batch)]
    out = match_rows(rows)
    assert [o["id"] for o in out] == list(range(len(batch)))
    for p, o in zip(batch, out, strict=True):
        eligible, total = _single(p, policies)
        assert o["eligible"] == eligible, p
        assert o["max_total"] == total, p


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(profiles.map(_fix), min_size=1, max_size=30))
def test_batch_equals_single_for_selected_policies(batch: list[dict]) -> None:
    ids = FOUR.split(",")
    policies = [p for p in load_policies() if p.id in ids]
    out = match_rows([{"id": f"p{i}", **p} for i, p in enumerate(batch)], policy_ids=ids)
    for p, o in zip(batch, out, strict=True):
        eligible, total = _single(p, policies)
        assert (o["eligible"], o["max_total"]) == (eligible, total), p


AS_OF_DATES = [
    date(2018, 6, 5),
    date(2018, 6, 6),
    date(2022, 9, 30),
    date(2022, 10, 1),
    date(2024, 1, 1),
    date(2026, 11, 22),
    date(2029, 2, 28),
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(profiles.map(_fix), min_size=1, max_size=40), st.sampled_from(AS_OF_DATES))
def test_batch_equals_single_with_fixed_as_of(batch: list[dict], as_of: date) -> None:
    """--as-of compiles against one date (folded parameters, date thresholds)."""
    policies = load_policies()
    out = match_rows([{"id": i, **p} for i, p in enumerate(batch)], as_of=as_of)
    for p, o in zip(batch, out, strict=True):
        doc = evaluate(p, as_of=as_of, policies=policies)
        eligible = [r["policy"] for r in doc["results"] if r["status"] == "eligible"]
        assert (o["eligible"], o["max_total"]) == (eligible, doc["totals"]["max_total"]), p


def test_formula_amounts_round_half_up_exactly() -> None:
    """Amounts on a rounding boundary (binary floats miss them) equal the scalar ones."""
    ids = ["qingdao.startup_support_plan"]
    policies = [p for p in load_policies() if p.id in ids]
    rows = []
    for i, (contribution, share) in enumerate(
        [(0.05, 1), (0.15, 1), (1.05, 0.5), (12345.67, 0.333), (0.35, 0.1), (2e6, 0.999), (0, 0.5)]
    ):
        rows.append(
            {
                "id": i,
                "as_of": "2026-11-22",
                "education": {"overseas": True},
                "venture": {
                    "city": "qingdao",
                    "selected_for_startup_support_plan": True,
                    "local_contribution_last_year": contribution,
                    "equity_share": share,
                },
            }
        )
    for as_of in (None, date(2026, 11, 22)):
        out = match_rows(rows, policy_ids=ids, as_of=as_of)
        for row, o in zip(rows, out, strict=True):
            profile = {k: v for k, v in row.items() if k != "id"}
            assert (o["eligible"], o["max_total"]) == _single(profile, policies), row
    assert match_rows(rows[:1], policy_ids=ids)[0]["max_total"] == 0.06  # 0.015 → 0.02 a year


def test_match_keeps_ids_verbatim(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'{"id": 1.50, "education": {"degree": "master"}}\n'
        b'{"education": {"degree": "master"}, "id": "late"}\n'
        b'  {"id":"a\\"b\\u00e9"}\n'
        b"\n"
        b'{"education": {}}\n'
    )
    out = tmp_path / "out.jsonl"
    proc = run("match", str(src), "--out", str(out), "--as-of", "2026-11-22")
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text().splitlines()
    assert [line.split(',"eligible"')[0] for line in lines] == [
        '{"id":1.50',
        '{"id":"late"',
        '{"id":"a\\"b\\u00e9"',
        '{"id":null',
    ]


def test_each_policy_alone_matches_single() -> None:
    examples = [json.loads(p.read_text()) for p in EXAMPLES.glob("*.profile.json")]
    for policy in load_policies():
        profiles_ = examples + [dict(c.get("profile") or {}) for c in policy.cases]
        for prof in profiles_:
            if "as_of" not in prof and policy.cases:
                prof["as_of"] = "2026-11-22"
        out = match_rows([{"id": i, **p} for i, p in enumerate(profiles_)], policy_ids=[policy.id])
        for prof, o in zip(profiles_, out, strict=True):
            assert (o["eligible"], o["max_total"]) == _single(prof, [policy]), (policy.id, prof)


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "talentport.cli", *args],
        input=stdin,
        capture_output=True,
        check=False,
    )


def test_match_cli(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    shibei = json.loads((EXAMPLES / "shibei-doctor.profile.json").read_text())
    src.write_bytes(orjson.dumps({"id": "a-1", **shibei}) + b"\n" + orjson.dumps({"id": 7}) + b"\n")
    out = tmp_path / "out.jsonl"
    proc = run("match", str(src), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines[0]["id"] == "a-1" and lines[1] == {"id": 7, "eligible": [], "max_total": 0}
    assert "qingdao.graduate_housing_subsidy" in lines[0]["eligible"]
    assert lines[0]["max_total"] == 193200
    proc = run("match", str(src), "--out", str(out), "--policies", FOUR)
    assert proc.returncode == 0
    first = json.loads(out.read_text().splitlines()[0])
    assert first["eligible"] == ["qingdao.graduate_housing_subsidy", "qingdao.settle_allowance"]
    assert first["max_total"] == 193200


def test_match_unknown_policy(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1}\n')
    proc = run("match", str(src), "--out", str(tmp_path / "o"), "--policies", "qingdao.nope")
    assert proc.returncode == 2 and "qingdao.nope" in proc.stderr.decode() and proc.stdout == b""


def test_match_bad_lines_name_line_numbers(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": 1}\n{"id": 2, "education": {"overseas": "yes"}}\n{oops\n{"id": 4, "education": {"degree": "phd"}}\n'
    )
    proc = run("match", str(src), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and proc.stdout == b""
    err = proc.stderr.decode()
    assert "第 2 行: education.overseas" in err
    assert "第 3 行" in err
    assert "第 4 行: education.degree" in err


def test_match_invalid_value_without_type_error(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "employment": {"district": "mars"}}\n')
    proc = run("match", str(src), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "第 1 行: employment.district" in proc.stderr.decode()


def test_match_as_of_flag(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": 1, "as_of": "2026-01-01", "education": {"degree": "bachelor", "overseas": true, "graduation_date": "2023-01-01"}, "employment": {"city": "qingdao"}}\n'
    )
    out = tmp_path / "o"
    assert run("match", str(src), "--out", str(out)).returncode == 0
    assert "qingdao.graduate_housing_subsidy" in out.read_text()
    assert run("match", str(src), "--out", str(out), "--as-of", "2026-01-02").returncode == 0
    assert "qingdao.graduate_housing_subsidy" not in out.read_text()
    assert run("match", str(src), "--out", str(out), "--as-of", "bad").returncode == 2


def test_match_integer_fields_accept_whole_floats(tmp_path: Path) -> None:
    """JSON Schema counts 3.0 as an integer (single eligibility accepts it); 2.5 is refused."""
    src = tmp_path / "in.jsonl"
    founder = {
        "employment": {"city": "liaocheng", "kind": "founder", "social_insurance_months": 3.0},
        "education": {"degree": "doctor", "full_time": True},
        "liaocheng": {"recognized_talent": True, "talent_tier": "none"},
    }
    src.write_bytes(orjson.dumps({"id": 1, **founder}) + b"\n")
    out = tmp_path / "out.jsonl"
    proc = run("match", str(src), "--out", str(out), "--as-of", "2026-11-22")
    assert proc.returncode == 0, proc.stderr
    eligible, total = _single(founder, load_policies())
    assert json.loads(out.read_text()) == {"id": 1, "eligible": eligible, "max_total": total}
    assert "liaocheng.living_allowance" in eligible
    src.write_text('{"id": 1}\n{"id": 2, "employment": {"social_insurance_months": 2.5}}\n')
    proc = run("match", str(src), "--out", str(out))
    assert proc.returncode == 2
    assert "第 2 行: employment.social_insurance_months" in proc.stderr.decode()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(profiles.map(_fix), min_size=1, max_size=30))
def test_per_policy_detail_equals_single(batch: list[dict]) -> None:
    # given stored profiles as the push reads them (an integer id first, the JSON after)
    from talentport.policies.engine.batch import evaluate_lines
    from talentport.policies.engine.vector import eligible_col, total_col, window_col

    policies = load_policies()
    source = b"\n".join(orjson.dumps({"id": i, **p}) for i, p in enumerate(batch))
    # when each policy is evaluated column-wise
    rows = {r["id"]: r for r in evaluate_lines(source, policies).iter_rows(named=True)}
    # then each policy's status, amount and window are the single-person answers
    for i, p in enumerate(batch):
        assert not rows[i]["bad"], p
        for result in evaluate(p, policies=policies)["results"]:
            pid = result["policy"]
            assert rows[i][eligible_col(pid)] == (result["status"] == "eligible"), (pid, p)
            closes = rows[i][window_col(pid)]
            assert (closes.isoformat() if closes else None) == result["window_closes"], (pid, p)
            total = (result["benefit"] or {}).get("max_total")
            if result["status"] == "eligible" and total is not None:
                assert rows[i][total_col(pid)] == round(total * 100), (pid, p)


def test_detail_marks_a_line_the_query_rejects_and_keeps_the_others() -> None:
    # given one stored profile with a value the schema does not know among good ones
    from talentport.policies.engine.batch import evaluate_lines

    good = orjson.dumps({"education": {"degree": "master"}})[1:]
    source = b"\n".join(
        [b'{"id":1,' + good, b'{"id":2,"education":{"degree":"wizard"}}', b'{"id":3,' + good]
    )
    # when evaluated
    frame = evaluate_lines(source, load_policies())
    # then only that line is bad
    assert dict(zip(frame["id"], frame["bad"], strict=True)) == {1: False, 2: True, 3: False}
