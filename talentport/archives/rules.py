"""Where a personnel file goes (seed 000, city item #4) and party-membership guidance (#5).

Pure Python, no Django: the transfer destination is a function of what the person
told us about their employment.

    国（境）外高校毕业生到机关、国有企事业单位就业或定向招生就业的，转递至就业单位或定向单位；
    到非公单位就业、灵活就业及自主创业的，转递至就业创业地或户籍地公共就业人才服务机构，
    其中转递至就业创业地的，应提供相关就业创业信息；暂未就业的，转递至户籍地公共就业人才服务机构。
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "EMPLOYER_TYPES",
    "EMPLOYMENT_KINDS",
    "PARTY_GUIDANCE",
    "PREFERENCES",
    "Destination",
    "TransferInput",
    "TransferInputError",
    "transfer_destination",
]

CLAUSE = "青岛市留学人员服务事项 第4项 档案服务"

EMPLOYMENT_KINDS = {
    "employed": "已落实就业单位",
    "flexible": "灵活就业",
    "self_employed": "自主创业",
    "unemployed": "暂未就业",
}
EMPLOYER_TYPES = {
    "government": "机关",
    "public_institution": "事业单位",
    "state_owned": "国有企业",
    "private": "非公单位（民营、外资等）",
}
PUBLIC_EMPLOYERS = {"government", "public_institution", "state_owned"}
PREFERENCES = {
    "work": "就业创业地",
    "hukou": "户籍地",
}

PARTY_GUIDANCE = (
    "国（境）外高校毕业生为中共党员的，落实就业单位后，应将党组织关系及时转移到就业单位党组织；"
    "尚未落实工作单位的，可将党员组织关系转移到本人或父母居住地的街道、乡镇党组织，"
    "也可随同档案转移到区（市）公共就业和人才服务机构党组织。党员咨询服务电话：0532-12371。"
)


class TransferInputError(ValueError):
    """The input does not determine a destination: ``errors`` is ``[(field, message)]``."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("；".join(message for _, message in errors))
        self.errors = errors


@dataclass(frozen=True)
class TransferInput:
    employment_kind: str
    employer_type: str = ""
    directed: bool = False
    employer_name: str = ""
    work_city: str = ""
    work_details: str = ""
    hukou_city: str = ""
    preference: str = ""


@dataclass(frozen=True)
class Destination:
    kind: str  # "employer" | "agency_work" | "agency_hukou"
    name: str
    explanation: str
    clause: str = CLAUSE
    party_guidance: str = PARTY_GUIDANCE
    details: dict[str, str] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return DESTINATION_KINDS[self.kind]


DESTINATION_KINDS = {
    "employer": "就业单位或定向单位",
    "agency_work": "就业创业地公共就业人才服务机构",
    "agency_hukou": "户籍地公共就业人才服务机构",
}


def _agency(city: str) -> str:
    return f"{city}公共就业和人才服务机构"


def _require(errors: list[tuple[str, str]], value: str, name: str, message: str) -> None:
    if not value.strip():
        errors.append((name, message))


def transfer_destination(data: TransferInput) -> Destination:
    """The destination of the file, with the reason in Chinese; or TransferInputError."""
    errors: list[tuple[str, str]] = []
    kind = data.employment_kind
    if kind not in EMPLOYMENT_KINDS:
        raise TransferInputError([("employment_kind", "请选择就业情况")])

    if data.directed:
        _require(errors, data.employer_name, "employer_name", "定向招生就业须填写定向单位名称")
        if errors:
            raise TransferInputError(errors)
        return Destination(
            kind="employer",
            name=data.employer_name.strip(),
            explanation="定向招生就业的，档案转递至定向单位。",
        )

    if kind == "employed":
        if data.employer_type not in EMPLOYER_TYPES:
            raise TransferInputError([("employer_type", "请选择就业单位性质")])
        if data.employer_type in PUBLIC_EMPLOYERS:
            _require(errors, data.employer_name, "employer_name", "请填写就业单位名称")
            if errors:
                raise TransferInputError(errors)
            label = EMPLOYER_TYPES[data.employer_type]
            return Destination(
                kind="employer",
                name=data.employer_name.strip(),
                explanation=f"到{label}就业的，档案转递至就业单位。",
            )

    if kind == "unemployed":
        _require(errors, data.hukou_city, "hukou_city", "暂未就业的须填写户籍所在地")
        if errors:
            raise TransferInputError(errors)
        return Destination(
            kind="agency_hukou",
            name=_agency(data.hukou_city.strip()),
            explanation="暂未就业的，档案转递至户籍地公共就业人才服务机构。",
        )

    # Private employer, flexible work or own venture: place of work or of hukou.
    situation = {
        "employed": "到非公单位就业",
        "flexible": "灵活就业",
        "self_employed": "自主创业",
    }[kind]
    if data.preference not in PREFERENCES:
        raise TransferInputError(
            [("preference", f"{situation}的，请选择转递至就业创业地或户籍地公共就业人才服务机构")]
        )
    if data.preference == "work":
        _require(errors, data.work_city, "work_city", "转递至就业创业地的，须填写就业创业所在地")
        if kind == "employed":
            _require(
                errors,
                data.employer_name,
                "employer_name",
                "转递至就业创业地的，须填写就业单位名称",
            )
        else:
            _require(
                errors,
                data.work_details,
                "work_details",
                "转递至就业创业地的，须提供就业创业信息（如经营主体名称、从业内容）",
            )
        if errors:
            raise TransferInputError(errors)
        return Destination(
            kind="agency_work",
            name=_agency(data.work_city.strip()),
            explanation=(
                f"{situation}的，档案转递至就业创业地或户籍地公共就业人才服务机构；"
                "本人选择就业创业地，已提供就业创业信息。"
            ),
            details={
                "employer_name": data.employer_name.strip(),
                "work_details": data.work_details.strip(),
            },
        )
    _require(errors, data.hukou_city, "hukou_city", "转递至户籍地的，须填写户籍所在地")
    if errors:
        raise TransferInputError(errors)
    return Destination(
        kind="agency_hukou",
        name=_agency(data.hukou_city.strip()),
        explanation=(
            f"{situation}的，档案转递至就业创业地或户籍地公共就业人才服务机构；本人选择户籍地。"
        ),
    )
