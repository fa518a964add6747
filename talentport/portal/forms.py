"""Forms that validate the query parameters of the public pages.

Every parameter a visitor can type goes through one of these forms: a value the
form does not know is a 400 naming the field, never a 500 and never silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from talentport.catalog import selectors as catalog_selectors
from talentport.catalog.models import Jurisdiction, JurisdictionLevel, ServiceKind, Stage
from talentport.portal.templatetags.portal_tags import loc

CITY_LEVELS = {JurisdictionLevel.CITY, JurisdictionLevel.PROVINCE}
ALL = ("", _("全部"))


class DistrictSelect(forms.Select):
    """A select whose options carry ``data-city`` so the page script can narrow them."""

    def __init__(self, *args: Any, city_of: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city_of: dict[str, str] = city_of or {}

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        city = self.city_of.get(str(value))
        if city:
            option["attrs"]["data-city"] = city
        return option


def _cities(jurisdictions: Iterable[Jurisdiction]) -> list[Jurisdiction]:
    return [j for j in jurisdictions if j.level == JurisdictionLevel.CITY]


def _city_code(j: Jurisdiction) -> str:
    parent = j.parent if j.parent_id else None
    return parent.code if parent is not None else j.code


class PlaceFilterForm(forms.Form):
    """City and district (dependent on the city), shared by every filtered page."""

    city = forms.ChoiceField(label=_("城市"), required=False)
    district = forms.ChoiceField(label=_("区（市）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        jurisdictions = list(catalog_selectors.jurisdiction_list())
        cities = _cities(jurisdictions)
        self.city_names = {c.code: loc(c, "name") for c in cities}
        self._choices("city", [ALL, *[(c.code, loc(c, "name")) for c in cities]])
        grouped: list[tuple[str, list[tuple[str, str]]]] = []
        city_of: dict[str, str] = {}
        for city in cities:
            options = []
            for j in jurisdictions:
                if j.level in CITY_LEVELS or _city_code(j) != city.code:
                    continue
                options.append((j.code, loc(j, "name")))
                city_of[j.code] = city.code
            if options:
                grouped.append((loc(city, "name"), options))
        self.city_of = city_of
        district_choices: list[Any] = [ALL, *grouped]
        self._choices("district", district_choices)
        self.fields["district"].widget = DistrictSelect(
            choices=district_choices,
            city_of=city_of,
            attrs={"data-depends-on": self["city"].auto_id},
        )

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        city = cleaned.get("city")
        district = cleaned.get("district")
        if district and city and self.city_of.get(district) != city:
            self.add_error("district", _("所选区（市）不属于所选城市。"))
        elif district and not city:
            cleaned["city"] = self.city_of.get(district, "")
        return cleaned


class ServiceFilterForm(PlaceFilterForm):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        help_text=_("可输入汉字、全拼或拼音首字母，如“住房补贴”“zhufang”“zfbt”"),
    )
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[ALL, *Stage.choices])
    category = forms.ChoiceField(label=_("服务类别"), required=False)
    kind = forms.ChoiceField(
        label=_("服务类型"), required=False, choices=[ALL, *ServiceKind.choices]
    )
    life_event = forms.ChoiceField(label=_("人生事件"), required=False)
    page = forms.IntegerField(label=_("页码"), required=False, min_value=1, max_value=100000)

    field_order = ["q", "city", "district", "stage", "category", "kind", "life_event", "page"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search", "autocomplete": "off"})
        categories = [str(c) for c in catalog_selectors.category_list()]
        self._choices("category", [ALL, *[(c, c) for c in categories]])
        events = catalog_selectors.life_event_list()
        self._choices("life_event", [ALL, *[(e.code, loc(e, "title")) for e in events]])
        self.fields["page"].widget = forms.HiddenInput()

    def search_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``catalog.selectors.service_item_search``."""
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "city": data.get("city") or None,
            "district": data.get("district") or None,
            "stage": data.get("stage") or None,
            "category": data.get("category") or None,
            "kind": data.get("kind") or None,
            "life_event": data.get("life_event") or None,
        }

    @property
    def is_filtered(self) -> bool:
        return any(v for k, v in self.search_arguments().items())


def field_errors(form: forms.Form) -> list[tuple[str, list[str]]]:
    """(field label, messages) pairs, for the 400 page."""
    result: list[tuple[str, list[str]]] = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else str(_("请求"))
        result.append((label, [str(e) for e in errors]))
    return result
