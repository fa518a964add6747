"""The questionnaire of 我能享受哪些政策: one question per profile field, in Chinese.

Field paths are those of ../shared/contracts/profile.schema.json. The engine says which
fields still matter (``needed_fields``); this module says how to ask for each one and how
to turn the answer into the profile value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

QINGDAO_DISTRICTS: list[tuple[str, str]] = [
    ("shinan", "市南区"),
    ("shibei", "市北区"),
    ("licang", "李沧区"),
    ("laoshan", "崂山区"),
    ("xihaian", "西海岸新区"),
    ("chengyang", "城阳区"),
    ("jimo", "即墨区"),
    ("jiaozhou", "胶州市"),
    ("pingdu", "平度市"),
    ("laixi", "莱西市"),
    ("hightech", "高新区"),
    ("ftz", "自贸区"),
]
CITIES: list[tuple[str, str]] = [
    ("qingdao", "青岛市"),
    ("weihai", "威海市"),
    ("liaocheng", "聊城市"),
    ("other", "其他城市"),
]
YES_NO: list[tuple[str, str]] = [("true", "是"), ("false", "否")]


class AnswerError(ValueError):
    """The answer cannot be read; the message says why, in Chinese."""


@dataclass(frozen=True)
class Question:
    path: str
    label: Any
    kind: str  # date | bool | choice | number | integer | share | districts
    section: Any
    help: Any = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    nullable_label: str = ""  # e.g. "尚未毕业" for graduation_date = null

    @property
    def district_choices(self) -> list[tuple[str, str]]:
        return QINGDAO_DISTRICTS

    def parse(self, raw: str | list[str]) -> Any:
        """Turn a submitted answer into the profile value, or raise AnswerError."""
        if self.kind == "districts":
            values = raw if isinstance(raw, list) else [raw]
            known = {code for code, _name in QINGDAO_DISTRICTS}
            picked = [v for v in values if v]
            unknown = [v for v in picked if v not in known]
            if unknown:
                raise AnswerError("请选择列表中的区（市）")
            return picked
        text = (raw[0] if isinstance(raw, list) and raw else raw) or ""
        assert isinstance(text, str)
        text = text.strip()
        if self.nullable_label and text == "null":
            return None
        if text == "":
            raise AnswerError("请作答，或选择“不清楚，跳过”")
        if self.kind == "date":
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError as exc:
                raise AnswerError("请填写有效日期，格式为 年-月-日，如 2025-06-30") from exc
        if self.kind == "bool":
            if text not in {"true", "false"}:
                raise AnswerError("请选择“是”或“否”")
            return text == "true"
        if self.kind == "choice":
            if text not in {code for code, _name in self.choices}:
                raise AnswerError("请选择列表中的一项")
            return text
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise AnswerError("请填写数字") from exc
        if not number.is_finite() or number < 0:
            raise AnswerError("请填写不小于 0 的数字")
        if self.kind == "integer":
            if number != number.to_integral_value():
                raise AnswerError("请填写整数")
            return int(number)
        if self.kind == "share":
            if number > 100:
                raise AnswerError("占股比例不能超过 100%")
            return float(number / 100)
        return int(number) if number == number.to_integral_value() else float(number)


S_PERSON = _("个人情况")
S_EDU = _("学历")
S_JOB = _("就业创业")
S_HOUSE = _("住房")
S_VENTURE = _("创业企业")
S_INTERN = _("实习")
S_POSTDOC = _("博士后")
S_LC = _("聊城人才认定")

QUESTIONS: dict[str, Question] = {
    q.path: q
    for q in [
        Question("person.birth_date", _("您的出生日期是？"), "date", S_PERSON),
        Question(
            "person.hukou_district",
            _("您的户籍在青岛哪个区（市）？"),
            "choice",
            S_PERSON,
            choices=[*QINGDAO_DISTRICTS, ("other", "不在青岛")],
        ),
        Question(
            "education.degree",
            _("您的最高学历是？"),
            "choice",
            S_EDU,
            choices=[
                ("associate", "大专"),
                ("bachelor", "本科"),
                ("master", "硕士研究生"),
                ("doctor", "博士研究生"),
            ],
        ),
        Question(
            "education.overseas",
            _("最高学历是在国（境）外院校取得的吗？"),
            "bool",
            S_EDU,
            choices=YES_NO,
        ),
        Question("education.full_time", _("是全日制学历吗？"), "bool", S_EDU, choices=YES_NO),
        Question(
            "education.graduation_date",
            _("您的毕业日期是？"),
            "date",
            S_EDU,
            nullable_label="尚未毕业（在读）",
        ),
        Question(
            "education.cscse_certified",
            _("是否已取得教育部留学服务中心国（境）外学历学位认证书？"),
            "bool",
            S_EDU,
            choices=YES_NO,
        ),
        Question(
            "education.world_top200",
            _("毕业院校是否位列全球排名前 200？"),
            "bool",
            S_EDU,
            choices=YES_NO,
        ),
        Question(
            "employment.kind",
            _("您目前的就业状态是？"),
            "choice",
            S_JOB,
            choices=[
                ("employee", "在单位就业"),
                ("founder", "自主创业"),
                ("flexible", "灵活就业"),
                ("none", "暂未就业"),
            ],
        ),
        Question("employment.city", _("您在哪个城市就业创业？"), "choice", S_JOB, choices=CITIES),
        Question(
            "employment.district",
            _("工作单位（或创业企业）在哪个区（市）？"),
            "choice",
            S_JOB,
            choices=QINGDAO_DISTRICTS,
        ),
        Question(
            "employment.employer_type",
            _("用人单位的类型是？"),
            "choice",
            S_JOB,
            choices=[
                ("enterprise", "企业"),
                ("small_micro_enterprise", "小微企业"),
                ("state_owned_enterprise", "国有企业"),
                ("government", "机关"),
                ("public_institution", "事业单位"),
                ("individual_business", "个体工商户"),
                ("social_organization", "社会组织"),
            ],
        ),
        Question("employment.start_date", _("您从哪天开始在该城市就业创业？"), "date", S_JOB),
        Question(
            "employment.first_in_city",
            _("这是您首次在该城市就业创业吗？"),
            "bool",
            S_JOB,
            choices=YES_NO,
        ),
        Question("employment.contract_years", _("劳动合同期限是几年？"), "number", S_JOB),
        Question(
            "employment.social_insurance_months",
            _("在工作所在区（市）已缴纳社会保险几个月？"),
            "integer",
            S_JOB,
        ),
        Question(
            "housing.bought_home",
            _("您是否已在就业城市购买商品住房？"),
            "bool",
            S_HOUSE,
            choices=YES_NO,
        ),
        Question("housing.bought_home.date", _("购房日期是？"), "date", S_HOUSE),
        Question(
            "housing.bought_home.city", _("所购住房在哪个城市？"), "choice", S_HOUSE, choices=CITIES
        ),
        Question(
            "housing.bought_home.district",
            _("所购住房在哪个区（市）？"),
            "choice",
            S_HOUSE,
            choices=QINGDAO_DISTRICTS,
        ),
        Question(
            "housing.bought_home.only_home_in_city",
            _("这是您在该城市唯一的商品住宅吗？"),
            "bool",
            S_HOUSE,
            choices=YES_NO,
        ),
        Question(
            "housing.owns_commercial_home_in",
            _("您在青岛哪些区（市）拥有商品住房？（没有可不选）"),
            "districts",
            S_HOUSE,
        ),
        Question(
            "venture.entity_type",
            _("您创办的创业实体类型是？"),
            "choice",
            S_VENTURE,
            choices=[
                ("individual_business", "个体工商户"),
                ("small_micro_enterprise", "小微企业"),
                ("enterprise", "企业"),
                ("private_non_enterprise", "民办非企业单位"),
                ("social_organization", "社会团体"),
                ("firm", "事务所"),
                ("cooperative", "农民专业合作社"),
            ],
        ),
        Question("venture.founded_date", _("创业实体成立日期是？"), "date", S_VENTURE),
        Question("venture.city", _("创业实体在哪个城市？"), "choice", S_VENTURE, choices=CITIES),
        Question(
            "venture.district",
            _("创业实体在哪个区（市）？"),
            "choice",
            S_VENTURE,
            choices=QINGDAO_DISTRICTS,
        ),
        Question("venture.equity_share", _("您本人在企业的占股比例（%）是？"), "share", S_VENTURE),
        Question(
            "venture.local_contribution_last_year",
            _("企业上年度在青地方综合贡献（元）是？"),
            "number",
            S_VENTURE,
        ),
        Question(
            "venture.selected_for_startup_support_plan",
            _("企业是否已入选青岛市留学人员创业支持计划？"),
            "bool",
            S_VENTURE,
            choices=YES_NO,
        ),
        Question(
            "internship.at_qingdao_base",
            _("您是否在青岛市研究生实习基地实习并签订了实习协议？"),
            "bool",
            S_INTERN,
            choices=YES_NO,
        ),
        Question("internship.days_this_month", _("本月已实习多少天？"), "integer", S_INTERN),
        Question(
            "postdoc.status",
            _("您的博士后状态是？"),
            "choice",
            S_POSTDOC,
            choices=[("in_station", "在站（基地）"), ("out_station", "已出站（基地）")],
        ),
        Question(
            "postdoc.city", _("博士后工作站在哪个城市？"), "choice", S_POSTDOC, choices=CITIES
        ),
        Question(
            "postdoc.district",
            _("博士后工作站在哪个区（市）？"),
            "choice",
            S_POSTDOC,
            choices=QINGDAO_DISTRICTS,
        ),
        Question("postdoc.start_date", _("进站日期是？"), "date", S_POSTDOC),
        Question(
            "liaocheng.recognized_talent",
            _("您是否已按聊城市引进人才认定细则获得认定？"),
            "bool",
            S_LC,
            choices=YES_NO,
        ),
        Question(
            "liaocheng.talent_tier",
            _("认定的人才层次是？"),
            "choice",
            S_LC,
            choices=[
                ("top", "顶尖人才"),
                ("high_end", "高端人才"),
                ("urgent", "急需紧缺人才"),
                ("none", "以上都不是"),
            ],
        ),
        Question(
            "liaocheng.professional_title",
            _("您的专业技术职称是？"),
            "choice",
            S_LC,
            choices=[
                ("senior_full", "正高级"),
                ("senior_deputy", "副高级"),
                ("intermediate", "中级"),
                ("none", "无"),
            ],
        ),
        Question(
            "liaocheng.chief_technician",
            _("您获得的首席技师或技能大赛称号是？"),
            "choice",
            S_LC,
            choices=[
                ("municipal", "市级首席技师"),
                ("provincial", "省级首席技师"),
                ("national", "国家级首席技师"),
                ("world_medal", "世界技能大赛奖牌获得者"),
                ("none", "无"),
            ],
        ),
        Question(
            "liaocheng.uses_talent_apartment",
            _("您是否使用租赁型人才公寓？"),
            "bool",
            S_LC,
            choices=YES_NO,
        ),
    ]
}


# The order a person expects to be asked in: who you are and where you work first.
ASK_ORDER: list[str] = [
    "education.degree",
    "education.overseas",
    "education.graduation_date",
    "employment.kind",
    "employment.city",
    "employment.district",
    "employment.start_date",
    "employment.employer_type",
    "employment.first_in_city",
    "education.cscse_certified",
    "education.full_time",
    "person.birth_date",
]


def ask_rank(path: str) -> tuple[int, int]:
    """Sort key: the paths of ASK_ORDER first, then the registry's order."""
    if path in ASK_ORDER:
        return (0, ASK_ORDER.index(path))
    keys = list(QUESTIONS)
    return (1, keys.index(path) if path in keys else len(keys))


def question_for(path: str) -> Question:
    """The question for a field path; a path the registry does not know is asked as text."""
    found = QUESTIONS.get(path)
    if found is not None:
        return found
    parent = path.rsplit(".", 1)[0]
    if parent in QUESTIONS and path not in QUESTIONS:
        return QUESTIONS[parent]
    return Question(path, path, "number", S_PERSON)


def profile_get(profile: dict[str, Any], path: str) -> Any:
    node: Any = profile
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def profile_set(profile: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path. ``housing.bought_home`` answered "no" stores null; "yes" an object."""
    if path == "housing.bought_home":
        housing = profile.setdefault("housing", {})
        if value is False:
            housing["bought_home"] = None
        elif not isinstance(housing.get("bought_home"), dict):
            housing["bought_home"] = {}
        return
    parts = path.split(".")
    node = profile
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value
