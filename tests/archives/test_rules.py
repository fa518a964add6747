"""Transfer destination (seed 000 #4): computed from the employment situation."""

from __future__ import annotations

import pytest

from talentport.archives.rules import TransferInput, TransferInputError, transfer_destination


@pytest.mark.parametrize("employer_type", ["government", "public_institution", "state_owned"])
def test_public_employer_gets_the_file(employer_type: str) -> None:
    d = transfer_destination(
        TransferInput(
            employment_kind="employed", employer_type=employer_type, employer_name="青岛港集团"
        )
    )
    assert d.kind == "employer" and d.name == "青岛港集团"
    assert "转递至就业单位" in d.explanation


def test_directed_employment_goes_to_the_directing_unit() -> None:
    d = transfer_destination(
        TransferInput(
            employment_kind="employed",
            employer_type="private",
            directed=True,
            employer_name="某定向单位",
        )
    )
    assert d.kind == "employer" and "定向" in d.explanation


@pytest.mark.parametrize("kind", ["employed", "flexible", "self_employed"])
def test_private_flexible_venture_choose_work_place_with_details(kind: str) -> None:
    base = {
        "employment_kind": kind,
        "employer_type": "private",
        "preference": "work",
        "work_city": "青岛市崂山区",
    }
    with pytest.raises(TransferInputError) as exc:
        transfer_destination(TransferInput(**base))  # type: ignore[arg-type]
    assert exc.value.errors[0][0] in {"employer_name", "work_details"}
    d = transfer_destination(
        TransferInput(**base, employer_name="歌尔股份", work_details="机器人研发")  # type: ignore[arg-type]
    )
    assert d.kind == "agency_work" and d.name == "青岛市崂山区公共就业和人才服务机构"


def test_private_employer_may_choose_hukou_place() -> None:
    d = transfer_destination(
        TransferInput(
            employment_kind="employed",
            employer_type="private",
            preference="hukou",
            hukou_city="青岛市市南区",
        )
    )
    assert d.kind == "agency_hukou" and "户籍地" in d.explanation


def test_private_employer_must_choose() -> None:
    with pytest.raises(TransferInputError) as exc:
        transfer_destination(TransferInput(employment_kind="flexible"))
    assert exc.value.errors[0][0] == "preference"


def test_not_yet_employed_goes_to_hukou_agency() -> None:
    with pytest.raises(TransferInputError):
        transfer_destination(TransferInput(employment_kind="unemployed"))
    d = transfer_destination(TransferInput(employment_kind="unemployed", hukou_city="青岛市黄岛区"))
    assert d.kind == "agency_hukou" and d.name == "青岛市黄岛区公共就业和人才服务机构"
    assert "党组织关系" in d.party_guidance
