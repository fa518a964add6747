"""Small display filters of the jobs pages."""

from __future__ import annotations

from typing import Any

from django import template

from talentport.jobs import selectors
from talentport.jobs.models import Degree, District, Industry, MajorField, OrgType

register = template.Library()

LABELS: dict[str, dict[str, str]] = {
    "district": {k: str(v) for k, v in District.choices},
    "industry": {k: str(v) for k, v in Industry.choices},
    "major_field": {k: str(v) for k, v in MajorField.choices},
    "degree": {k: str(v) for k, v in Degree.choices},
    "org_type": {k: str(v) for k, v in OrgType.choices},
}


@register.filter
def wan(amount: Any) -> str:
    """250000 → 25万."""
    if amount in (None, ""):
        return "—"
    return selectors.wan(amount)


@register.filter
def percent(share: Any) -> str:
    """0.63 → 63%."""
    try:
        value = float(share) * 100
    except (TypeError, ValueError):
        return "—"
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


@register.filter
def labels(values: Any, kind: str) -> str:
    """A list of choice ids as their Chinese labels joined by 、; empty → 不限."""
    names = LABELS.get(kind, {})
    if isinstance(values, str):
        values = [values]
    return "、".join(names.get(v, v) for v in values or []) or "不限"
