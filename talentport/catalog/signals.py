"""Thin signal handlers: keep each item's search document and the catalog version current
for writes that do not go through ``catalog_load`` (back office, shell, other apps)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from talentport.catalog import services
from talentport.catalog.models import (
    Department,
    Jurisdiction,
    LifeEvent,
    ServiceItem,
)


@receiver(pre_save, sender=ServiceItem, dispatch_uid="catalog_item_index")
def _item_index(sender: Any, instance: ServiceItem, raw: bool = False, **kwargs: Any) -> None:
    if raw or services.catalog_signals_suppressed():
        return
    services.service_item_index(instance)


@receiver(post_save, sender=ServiceItem, dispatch_uid="catalog_item_saved")
@receiver(post_delete, sender=ServiceItem, dispatch_uid="catalog_item_deleted")
@receiver(post_save, sender=Jurisdiction, dispatch_uid="catalog_jurisdiction_saved")
@receiver(post_delete, sender=Jurisdiction, dispatch_uid="catalog_jurisdiction_deleted")
@receiver(post_save, sender=LifeEvent, dispatch_uid="catalog_event_saved")
@receiver(post_delete, sender=LifeEvent, dispatch_uid="catalog_event_deleted")
@receiver(m2m_changed, sender=ServiceItem.life_events.through, dispatch_uid="catalog_item_events")
def _catalog_changed(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or services.catalog_signals_suppressed():
        return
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    services.catalog_version_bump()


@receiver(post_save, sender=Department, dispatch_uid="catalog_department_saved")
def _department_saved(
    sender: Any, instance: Department, raw: bool = False, created: bool = False, **kwargs: Any
) -> None:
    # the department's name is part of its items' search documents
    if raw or created or services.catalog_signals_suppressed():
        return
    services.service_item_reindex(
        items=ServiceItem.objects.filter(department=instance)
        | ServiceItem.objects.filter(partner_departments=instance)
    )


@receiver(
    m2m_changed, sender=ServiceItem.partner_departments.through, dispatch_uid="catalog_partners"
)
def _partners_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if services.catalog_signals_suppressed() or not action.startswith("post_"):
        return
    if isinstance(instance, ServiceItem):
        services.service_item_reindex(items=ServiceItem.objects.filter(pk=instance.pk))
    else:
        services.catalog_version_bump()
