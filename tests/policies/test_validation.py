"""Bad input: errors name field paths; the CLI exits 2 with nothing on stdout."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talentport.policies.engine import (
    PolicyError,
    ProfileInvalid,
    evaluate,
    parse_policy_text,
    validate_profile,
)


def fields_of(data: object) -> list[str]:
    return [e.field for e in validate_profile(data)]


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"education": {"degree": "phd"}}, "education.degree"),
        ({"education": {"overseas": "yes"}}, "education.overseas"),
        ({"employment": {"contract_years": "3"}}, "employment.contract_years"),
        ({"employment": {"social_insurance_months": 2.5}}, "employment.social_insurance_months"),
        ({"employment": {"city": "beijing"}}, "employment.city"),
        ({"employment": {"district": "chaoyang"}}, "employment.district"),
        ({"person": {"hukou_district": "xx"}}, "person.hukou_district"),
        ({"person": {"birth_date": "1990-02-30"}}, "person.birth_date"),
        ({"person": {"birth_date": "19900101"}}, "person.birth_date"),
        ({"as_of": "2026-13-01"}, "as_of"),
        ({"venture": {"equity_share": 1.5}}, "venture.equity_share"),
        (
            {"housing": {"owns_commercial_home_in": ["shinan", "mars"]}},
            "housing.owns_commercial_home_in.1",
        ),
        (
            {
                "person": {"birth_date": "2000-01-01"},
                "education": {"graduation_date": "1999-06-30"},
            },
            "education.graduation_date",
        ),
        ({"education": "master"}, "education"),
        ({"liaocheng": {"talent_tier": "legend"}}, "liaocheng.talent_tier"),
    ],
)
def test_errors_name_the_field(profile: dict, field: str) -> None:
    assert field in fields_of(profile)


def test_not_an_object() -> None:
    assert fields_of([1, 2]) == ["profile"]


def test_valid_profiles_pass() -> None:
    assert validate_profile({}) == []
    assert validate_profile({"employment": {"city": "weihai", "district": "huancui"}}) == []
    assert (
        validate_profile({"education": {"graduation_date": None}, "housing": {"bought_home": None}})
        == []
    )


def test_evaluate_refuses_invalid() -> None:
    with pytest.raises(ProfileInvalid) as exc:
        evaluate({"education": {"degree": 5}})
    assert exc.value.errors[0].field == "education.degree"


def run_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "talentport.cli", *args],
        input=stdin,
        capture_output=True,
        check=False,
    )


def test_cli_invalid_profile_exit_2() -> None:
    bad = json.dumps(
        {"education": {"degree": "phd", "overseas": 1}, "person": {"birth_date": "2001-02-29"}}
    ).encode()
    proc = run_cli("eligibility", "-", stdin=bad)
    assert proc.returncode == 2
    assert proc.stdout == b""
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 3
    assert any(line.startswith("education.degree: ") for line in lines)
    assert any(line.startswith("education.overseas: ") for line in lines)
    assert any(line.startswith("person.birth_date: ") for line in lines)


def test_cli_bad_json_and_bad_as_of() -> None:
    assert run_cli("eligibility", "-", stdin=b"{nope").returncode == 2
    proc = run_cli("eligibility", "-", "--as-of", "2026-02-30", stdin=b"{}")
    assert proc.returncode == 2 and proc.stdout == b""


def test_cli_stdin_and_as_of() -> None:
    proc = run_cli("eligibility", "-", "--as-of", "2026-01-02", stdin=b"{}")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["as_of"] == "2026-01-02"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('education.degre == "master"', "未知字段"),
        ('education.degree == "phd"', "不是字段 education.degree 的取值"),
        ("education.degree < 3", "不能比较"),
        ("education.overseas and", "表达式"),
        ('os.system("x") ; 1', "无法识别"),
        ('open("x")', "未知函数"),
        ("employment.contract_years", "应得出真假值"),
    ],
)
def test_broken_condition_is_refused_in_chinese(text: str, fragment: str) -> None:
    doc = (
        "id: qingdao.broken\ntitle: 坏\njurisdiction: qingdao\nkind: universal\n"
        "source: {text: x, citation: y}\nbenefit: {kind: service}\n"
        f"conditions:\n  - label: 坏条件\n    when: '{text}'\n"
    )
    with pytest.raises(PolicyError) as exc:
        parse_policy_text(doc)
    assert fragment in str(exc.value)


def test_policy_structure_errors() -> None:
    with pytest.raises(PolicyError, match="jurisdiction"):
        parse_policy_text(
            "id: x.y\ntitle: t\njurisdiction: beijing\nkind: universal\nsource: {text: x, citation: y}\nbenefit: {kind: service}\nconditions: [{label: a, when: education.overseas}]\n"
        )
    with pytest.raises(PolicyError, match="period"):
        parse_policy_text(
            "id: qingdao.y\ntitle: t\njurisdiction: qingdao\nkind: universal\nsource: {text: x, citation: y}\nbenefit: {kind: cash, period: week}\nconditions: [{label: a, when: education.overseas}]\n"
        )
    with pytest.raises(PolicyError, match="声明需要"):
        parse_policy_text(
            "id: qingdao.y\ntitle: t\njurisdiction: qingdao\nkind: universal\nsource: {text: x, citation: y}\nbenefit: {kind: service}\nconditions: [{label: a, when: education.overseas, needs: [education.degree]}]\n"
        )


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "person",
                        "education",
                        "employment",
                        "degree",
                        "birth_date",
                        "city",
                        "kind",
                        "housing",
                        "venture",
                        "equity_share",
                        "contract_years",
                        "as_of",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_fast_schema_check_never_accepts_what_the_full_validator_refuses(doc: object) -> None:
    # given any JSON-like document; when the compiled check accepts it
    import fastjsonschema

    from talentport.policies.engine.schema import _fast_check, _validator

    try:
        _fast_check()(doc)
    except fastjsonschema.JsonSchemaValueException:
        return
    # then the full validator finds nothing either
    assert list(_validator().iter_errors(doc)) == []
