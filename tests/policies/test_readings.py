"""Contract §5 readings, edge by edge."""

from __future__ import annotations

from datetime import date

from talentport.policies.engine import evaluate

from .conftest import result

HOUSING = "qingdao.graduate_housing_subsidy"


def shinan(grad: str, start: str, **extra) -> dict:
    return {
        "education": {
            "degree": "master",
            "overseas": True,
            "full_time": True,
            "cscse_certified": True,
            "graduation_date": grad,
        },
        "employment": {
            "city": "qingdao",
            "district": "shinan",
            "start_date": start,
            "first_in_city": True,
        },
        **extra,
    }


# 应届: start no more than 24 months after graduation
def test_fresh_graduate_24_months_inclusive() -> None:
    r = result(
        shinan("2024-06-30", "2026-06-30"), "qingdao.shinan.life_allowance", as_of=date(2026, 11, 1)
    )
    assert r["status"] == "eligible"


def test_fresh_graduate_day_after_24_months() -> None:
    r = result(
        shinan("2024-06-30", "2026-07-01"), "qingdao.shinan.life_allowance", as_of=date(2026, 11, 1)
    )
    assert r["status"] == "ineligible"


def test_fresh_graduate_month_end_clamps() -> None:
    # 2022-08-31 + 24 months = 2024-08-31; 2024-02-29 + 24 months = 2026-02-28
    r = result(
        shinan("2024-02-29", "2026-02-28"), "qingdao.shinan.life_allowance", as_of=date(2026, 3, 1)
    )
    assert r["status"] == "eligible"
    r = result(
        shinan("2024-02-29", "2026-03-01"), "qingdao.shinan.life_allowance", as_of=date(2026, 3, 2)
    )
    assert r["status"] == "ineligible"


# 毕业N年内: as_of no later than graduation + N years, and window_closes is that day
def bachelor(grad: str) -> dict:
    return {
        "education": {"degree": "bachelor", "overseas": True, "graduation_date": grad},
        "employment": {"city": "qingdao", "start_date": grad},
    }


def test_within_three_years_last_day() -> None:
    r = result(bachelor("2023-07-15"), HOUSING, as_of=date(2026, 7, 15))
    assert (r["status"], r["window_closes"]) == ("eligible", "2026-07-15")


def test_within_three_years_day_after() -> None:
    assert (
        result(bachelor("2023-07-15"), HOUSING, as_of=date(2026, 7, 16))["status"] == "ineligible"
    )


def test_postgraduate_counts_from_arrival() -> None:
    p = {
        "education": {"degree": "master", "overseas": True, "graduation_date": "2015-06-30"},
        "employment": {"city": "qingdao", "start_date": "2024-03-01"},
    }
    r = result(p, HOUSING, as_of=date(2027, 3, 1))
    assert (r["status"], r["window_closes"], r["benefit"]["max_total"]) == (
        "eligible",
        "2027-03-01",
        28800,
    )
    assert result(p, HOUSING, as_of=date(2027, 3, 2))["status"] == "ineligible"


def test_enrolled_student_is_not_a_graduate() -> None:
    p = {
        "education": {"degree": "bachelor", "overseas": True, "graduation_date": None},
        "employment": {"city": "qingdao"},
    }
    assert result(p, HOUSING, as_of=date(2026, 1, 1))["status"] == "ineligible"


# X岁（不含）以下: strictly below at as_of
def pingdu(birth: str, degree: str = "doctor") -> dict:
    return {
        "person": {"birth_date": birth},
        "education": {
            "degree": degree,
            "overseas": True,
            "cscse_certified": True,
            "graduation_date": "2023-06-30",
        },
        "employment": {
            "kind": "employee",
            "city": "qingdao",
            "district": "pingdu",
            "employer_type": "enterprise",
            "start_date": "2023-09-01",
            "first_in_city": True,
        },
    }


def test_age_strictly_below() -> None:
    as_of = date(2026, 11, 22)
    assert (
        result(pingdu("1981-11-23"), "qingdao.pingdu.life_allowance", as_of=as_of)["status"]
        == "eligible"
    )  # 44
    assert (
        result(pingdu("1981-11-22"), "qingdao.pingdu.life_allowance", as_of=as_of)["status"]
        == "ineligible"
    )  # 45 today


def test_age_leap_day_birthday() -> None:
    # born 1984-02-29: turns 40 on 2024-03-01 (not yet on 2024-02-28)
    p = pingdu("1984-02-29", "master")
    assert (
        result(p, "qingdao.pingdu.life_allowance", as_of=date(2024, 2, 28))["status"] == "eligible"
    )
    assert (
        result(p, "qingdao.pingdu.life_allowance", as_of=date(2024, 3, 1))["status"] == "ineligible"
    )


# 以上/以下 include the number
def liaocheng_doctor(years: float) -> dict:
    return {
        "education": {"degree": "doctor", "full_time": True},
        "employment": {
            "kind": "employee",
            "city": "liaocheng",
            "employer_type": "enterprise",
            "contract_years": years,
            "social_insurance_months": 1,
        },
        "liaocheng": {"recognized_talent": True, "talent_tier": "none", "chief_technician": "none"},
    }


def test_three_years_contract_admits_three() -> None:
    assert result(liaocheng_doctor(3), "liaocheng.living_allowance")["status"] == "eligible"
    assert result(liaocheng_doctor(2.99), "liaocheng.living_allowance")["status"] == "ineligible"


def chengyang(contract: float, months: int) -> dict:
    return {
        "person": {"birth_date": "1996-01-01"},
        "education": {
            "overseas": True,
            "cscse_certified": True,
            "degree": "master",
            "graduation_date": "2025-06-30",
        },
        "employment": {
            "kind": "employee",
            "first_in_city": True,
            "city": "qingdao",
            "district": "chengyang",
            "employer_type": "enterprise",
            "contract_years": contract,
            "social_insurance_months": months,
        },
    }


def test_one_year_contract_and_three_months_inclusive() -> None:
    kw = {"as_of": date(2026, 11, 22)}
    assert (
        result(chengyang(1, 3), "qingdao.chengyang.transport_subsidy", **kw)["status"] == "eligible"
    )
    assert (
        result(chengyang(0.5, 3), "qingdao.chengyang.transport_subsidy", **kw)["status"]
        == "ineligible"
    )
    assert (
        result(chengyang(1, 2), "qingdao.chengyang.transport_subsidy", **kw)["status"]
        == "ineligible"
    )


def test_internship_fifteen_days_inclusive() -> None:
    p = {
        "education": {"degree": "doctor", "full_time": True, "graduation_date": None},
        "internship": {"at_qingdao_base": True, "days_this_month": 15},
    }
    assert result(p, "qingdao.internship_allowance")["status"] == "eligible"


# 及以后 includes the date, 后 excludes it
def test_on_or_after_includes_date() -> None:
    p = shinan("2022-06-30", "2022-07-04")
    assert (
        result(p, "qingdao.shinan.life_allowance", as_of=date(2023, 1, 1))["status"] == "eligible"
    )
    p = shinan("2022-06-30", "2022-07-03")
    assert (
        result(p, "qingdao.shinan.life_allowance", as_of=date(2023, 1, 1))["status"] == "ineligible"
    )


def laixi(
    start: str, degree: str = "master", owns: list | None = None, birth: str = "1995-01-01"
) -> dict:
    return {
        "person": {"birth_date": birth},
        "education": {
            "degree": degree,
            "overseas": True,
            "cscse_certified": True,
            "graduation_date": "2022-06-30",
        },
        "employment": {"city": "qingdao", "district": "laixi", "start_date": start},
        "housing": {"owns_commercial_home_in": owns or []},
    }


def test_after_excludes_date() -> None:
    kw = {"as_of": date(2026, 11, 22)}
    assert (
        result(laixi("2022-09-30"), "qingdao.laixi.housing_voucher", **kw)["status"] == "ineligible"
    )
    assert (
        result(laixi("2022-10-01"), "qingdao.laixi.housing_voucher", **kw)["status"] == "eligible"
    )


def test_laixi_home_in_laixi_excludes() -> None:
    assert (
        result(
            laixi("2023-01-01", owns=["laixi"]),
            "qingdao.laixi.housing_voucher",
            as_of=date(2026, 1, 1),
        )["status"]
        == "ineligible"
    )


# district requirement
def test_district_policy_requires_its_district() -> None:
    p = shinan("2024-06-30", "2024-09-01")
    p["employment"]["district"] = "laoshan"
    assert (
        result(p, "qingdao.shinan.life_allowance", as_of=date(2025, 1, 1))["status"] == "ineligible"
    )
    assert (
        result(p, "qingdao.laoshan.life_allowance", as_of=date(2025, 1, 1))["status"] == "eligible"
    )


# non-cumulation
def settle_and_laixi(degree: str, top200: bool = False) -> dict:
    p = laixi("2024-09-01", degree=degree, owns=["chengyang"])
    p["employment"]["first_in_city"] = True
    p["education"]["world_top200"] = top200
    p["education"]["full_time"] = True
    p["housing"]["bought_home"] = {
        "date": "2025-01-01",
        "city": "qingdao",
        "district": "chengyang",
        "only_home_in_city": True,
    }
    return p


def test_non_cumulation_tie_city_wins() -> None:
    doc = evaluate(settle_and_laixi("doctor"), as_of=date(2026, 1, 1))
    r = {x["policy"]: x for x in doc["results"]}
    assert r["qingdao.settle_allowance"]["status"] == "eligible"
    assert r["qingdao.laixi.housing_voucher"]["status"] == "excluded"
    assert r["qingdao.laixi.housing_voucher"]["excluded_by"] == "qingdao.settle_allowance"
    # excluded money is not in the total
    assert doc["totals"]["max_total"] == sum(
        x["benefit"]["max_total"]
        for x in doc["results"]
        if x["status"] == "eligible" and x["benefit"] and x["benefit"]["max_total"]
    )


def test_non_cumulation_only_among_eligible() -> None:
    p = settle_and_laixi("bachelor", top200=True)  # the city allowance needs a postgraduate
    doc = evaluate(p, as_of=date(2026, 1, 1))
    r = {x["policy"]: x for x in doc["results"]}
    assert r["qingdao.settle_allowance"]["status"] == "ineligible"
    assert r["qingdao.laixi.housing_voucher"]["status"] == "eligible"
    assert r["qingdao.laixi.housing_voucher"]["benefit"]["max_total"] == 80000


def test_non_cumulation_only_among_selected(policies: list) -> None:
    only = [p for p in policies if p.id == "qingdao.laixi.housing_voucher"]
    doc = evaluate(settle_and_laixi("doctor"), as_of=date(2026, 1, 1), policies=only)
    assert doc["results"][0]["status"] == "eligible"
    assert doc["totals"]["max_total"] == 150000


def test_larger_total_wins_over_city(policies: list) -> None:
    from decimal import Decimal

    from talentport.policies.engine.evaluate import group_winner

    settle = next(p for p in policies if p.id == "qingdao.settle_allowance")
    laixi_p = next(p for p in policies if p.id == "qingdao.laixi.housing_voucher")
    assert group_winner([(settle, Decimal(100000)), (laixi_p, Decimal(150000))]) is laixi_p
    assert group_winner([(settle, Decimal(150000)), (laixi_p, Decimal(150000))]) is settle


# highest tier wins (Liaocheng)
def test_liaocheng_highest_tier_and_reason() -> None:
    p = liaocheng_doctor(3)
    p["liaocheng"]["chief_technician"] = "world_medal"
    r = result(p, "liaocheng.living_allowance")
    assert r["benefit"]["per_period"] == 1500 and r["benefit"]["max_total"] == 54000
    assert any(x.get("tier") and "世界技能大赛" in x["condition"] for x in r["reasons"])


def test_liaocheng_top_beats_everything() -> None:
    p = liaocheng_doctor(3)
    p["liaocheng"]["talent_tier"] = "top"
    r = result(p, "liaocheng.living_allowance")
    assert r["benefit"]["per_period"] == 20000


def test_liaocheng_high_end_range() -> None:
    p = liaocheng_doctor(3)
    p["liaocheng"]["talent_tier"] = "high_end"
    b = result(p, "liaocheng.living_allowance")["benefit"]
    assert b["per_period"] is None and (b["per_period_min"], b["per_period_max"]) == (5000, 10000)
    assert b["max_total"] is None


# three-valued logic
def test_false_beats_unknown() -> None:
    p = {"education": {"overseas": False}}
    r = result(p, HOUSING)
    assert r["status"] == "ineligible" and r["missing"] == []


def test_unknown_lists_missing_fields() -> None:
    r = result({"education": {"overseas": True, "degree": "master"}}, HOUSING)
    assert r["status"] == "needs_info"
    assert r["missing"] == ["employment.city", "employment.start_date"]


def test_hint_for_missing_certification() -> None:
    p = pingdu("1990-01-01")
    p["education"]["cscse_certified"] = False
    r = result(p, "qingdao.pingdu.life_allowance", as_of=date(2026, 1, 1))
    assert r["status"] == "ineligible" and "认证" in r["hint"]


def test_formula_is_exact_decimal() -> None:
    p = {
        "education": {"overseas": True},
        "venture": {
            "city": "qingdao",
            "selected_for_startup_support_plan": True,
            "local_contribution_last_year": 0.1,
            "equity_share": 0.3,
        },
    }
    b = result(p, "qingdao.startup_support_plan")["benefit"]
    assert b["per_period"] == 0.01 and b["max_total"] == 0.03 and b["period"] == "year"


def test_as_of_precedence() -> None:
    assert evaluate({"as_of": "2020-01-01"})["as_of"] == "2020-01-01"
    assert evaluate({"as_of": "2020-01-01"}, as_of=date(2021, 5, 5))["as_of"] == "2021-05-05"


def test_needed_fields_orders_by_use() -> None:
    from talentport.policies.engine import needed_fields

    fields = needed_fields({"education": {"overseas": True}}, date(2026, 1, 1))
    assert fields[0] == "employment.district"
    assert "education.overseas" not in fields
