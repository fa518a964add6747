"""Template helpers of the public portal: localized names, phone links, "未明确"."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

register = template.Library()

NOT_SPECIFIED_VALUES = {None, "", "未明确"}


def _english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def loc(obj: Any, field: str = "title") -> str:
    """``obj.<field>_en`` when the page is in English and it has one, else ``obj.<field>``."""
    if obj is None:
        return ""
    if _english():
        english = getattr(obj, field + "_en", "")
        if english:
            return str(english)
    value = getattr(obj, field, "")
    return "" if value is None else str(value)


@register.simple_tag
def html_lang() -> str:
    """BCP 47 language tag for ``<html lang>``."""
    return "en" if _english() else "zh-Hans"


@register.filter
def tel_href(phone: str | None) -> str:
    """``tel:`` URL for the first number of a phone field ("0532-1234 5678；…")."""
    if not phone:
        return ""
    first = re.split(r"[;；,，、/]", str(phone))[0]
    digits = re.sub(r"[^\d+]", "", first)
    return "tel:" + digits if digits else ""


@register.filter
def phones(value: str | None) -> list[str]:
    """Split a phone field holding several numbers."""
    if not value:
        return []
    return [p.strip() for p in re.split(r"[;；,，、/]", str(value)) if p.strip()]


@register.filter
def or_unspecified(value: Any) -> SafeString:
    """The value, or a visibly marked "未明确" when the source gives none."""
    if value in NOT_SPECIFIED_VALUES or (isinstance(value, str) and not value.strip()):
        return format_html('<span class="not-specified">{}</span>', _("未明确"))
    return conditional_escape(value)


@register.filter
def working_days(value: int | None) -> SafeString:
    """``N 个工作日``, or "未明确" when the source gives no time limit."""
    if value is None:
        return format_html('<span class="not-specified">{}</span>', _("未明确"))
    days = int(value)
    text = ngettext("%(days)d 个工作日", "%(days)d 个工作日", days) % {"days": days}
    return conditional_escape(text)


@register.filter
def yes_no_unspecified(value: bool | None) -> SafeString:
    if value is None:
        return format_html('<span class="not-specified">{}</span>', _("未明确"))
    return conditional_escape(_("是") if value else _("否"))


@register.simple_tag(takes_context=True)
def personal(context: template.Context, name: str) -> SafeString:
    """A per-user part of ``base.html`` (account links, CSRF token, messages).

    Rendered in place, except while a public page is rendered for the cache
    (``common.public_cache``): then it leaves a hole that each request fills for its
    own visitor.
    """
    from talentport.common.public_cache import HOLE_TEMPLATES, hole_marker, rendering_holes

    if rendering_holes(context.get("request")):
        return mark_safe(hole_marker(name))  # noqa: S308  (a fixed tag, no input in it)
    assert context.template is not None
    part = context.template.engine.get_template(HOLE_TEMPLATES[name])
    return mark_safe(part.render(context))  # noqa: S308  (a rendered, escaped template)
