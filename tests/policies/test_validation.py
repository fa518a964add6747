"""Bad input: errors name field paths; the CLI exits 2 with nothing on stdout."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import OrderedDict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talentport.policies.engine import (
    PolicyError,
    ProfileError,
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


NOT_FINITE = "不是有限数值（不接受 NaN 或无穷大）"


def nested(levels: int) -> dict:
    """``levels`` objects inside each other, the innermost empty: {"k": {"k": {}}}."""
    doc: dict = {}
    for _ in range(levels - 1):
        doc = {"k": doc}
    return doc


def test_a_non_finite_number_anywhere_is_reported_with_its_path() -> None:
    # given an otherwise valid profile with NaN deep inside an unknown key and -inf in a field
    profile = {
        "employment": {"city": "qingdao", "district": "shinan"},
        "extra": {"notes": [1, "x", {"scores": [0.5, math.nan]}]},
        "venture": {"equity_share": -math.inf},
    }

    # then each is named by its path, in path order, and nothing else is checked
    assert validate_profile(profile) == [
        ProfileError("extra.notes.2.scores.1", NOT_FINITE),
        ProfileError("venture.equity_share", NOT_FINITE),
    ]
    assert validate_profile({"venture": {"equity_share": math.inf}}) == [
        ProfileError("venture.equity_share", NOT_FINITE)
    ]


def test_a_non_finite_number_in_a_dict_subclass_is_reported() -> None:
    # given a profile parsed with object_pairs_hook=OrderedDict
    profile = json.loads(
        '{"employment": {"contract_years": Infinity}}', object_pairs_hook=OrderedDict
    )

    # then
    assert validate_profile(profile) == [ProfileError("employment.contract_years", NOT_FINITE)]


def test_nesting_is_refused_from_the_sixteenth_level_even_when_empty() -> None:
    # given objects nested under an unknown key: the profile is level 0, "extra" level 1
    assert validate_profile({"extra": nested(15)}) == []

    # then one level more is refused, naming the too deep (empty) object
    assert validate_profile({"extra": nested(16)}) == [
        ProfileError("extra" + ".k" * 15, "嵌套层级过深（最多 16 层）")
    ]
    assert fields_of({"extra": [[nested(14)]]}) == ["extra.0.0" + ".k" * 13]


def test_every_kind_of_problem_is_listed_in_a_fixed_order() -> None:
    # given a profile with one problem of each kind
    profile = {
        "as_of": "2026-02-30",
        "person": {"birth_date": "2000-01-01", "hukou_district": "mars"},
        "education": {"degree": "phd", "graduation_date": "1999-06-30"},
        "employment": {
            "city": "qingdao",
            "district": "chaoyang",
            "start_date": "2025-13-01",
            "contract_years": -1,
        },
        "housing": {
            "bought_home": {"city": "qingdao", "district": "atlantis"},
            "owns_commercial_home_in": ["shinan", "mars"],
        },
        "venture": {"equity_share": 20_000, "local_contribution_last_year": 10**16},
    }

    # then schema errors come first (a field with one gets no further check), then
    # bounds, dates, district ids, owned homes and dates before birth, each in field order
    assert fields_of(profile) == [
        "education.degree",
        "venture.equity_share",
        "employment.contract_years",
        "venture.local_contribution_last_year",
        "as_of",
        "employment.start_date",
        "person.hukou_district",
        "employment.district",
        "housing.bought_home.district",
        "housing.owns_commercial_home_in.1",
        "education.graduation_date",
    ]


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
