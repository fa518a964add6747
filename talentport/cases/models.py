"""Cases: the administrator-maintained working-day calendar (first), then 一件事
bundles, applications and department sub-cases.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from talentport.common.models import BaseModel

# --------------------------------------------------------------------------- #
# Working-day calendar maintained by administrators (contract §7)
# --------------------------------------------------------------------------- #


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假（节假日）")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班")


class CalendarDay(BaseModel):
    """One day of a year's official holiday arrangement, entered by an administrator.

    Used by the working-day clock (``talentport.cases.clock``) only for years the
    ``chinese_calendar`` package does not know yet, e.g. once the State Council has
    published next year's arrangement and before the package is updated.  Every day
    not listed follows Monday–Friday.  Read through
    ``talentport.cases.selectors.calendar_overrides``.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日名称"), max_length=40, blank=True, help_text=_("例如：国庆节"))
    note = models.TextField(_("备注"), blank=True, help_text=_("例如：发布通知的文号"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        super().clean()
        if (
            self.kind == CalendarDayKind.MAKEUP_WORKDAY
            and self.date is not None
            and self.date.weekday() < 5
        ):
            raise ValidationError({"date": _("调休上班日应为周六或周日")})
