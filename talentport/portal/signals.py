"""Keep the public content version current for what the public pages show beyond the
items' search documents (``catalog.signals`` covers those): departments, materials,
specialists, policy links, and every saved or deleted policy version.

The pages and the catalog API are cached under that version
(``common.public_cache``), so a write here is visible on the next request of every
process.  The handlers stay thin: the bump is ``catalog.services.catalog_version_bump``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from talentport.catalog import services as catalog_services
from talentport.catalog.models import Department, Material, PolicyLink, Specialist
from talentport.policies.models import PolicyVersion


@receiver(post_save, sender=Department, dispatch_uid="public_department_saved")
@receiver(post_delete, sender=Department, dispatch_uid="public_department_deleted")
@receiver(post_save, sender=Material, dispatch_uid="public_material_saved")
@receiver(post_delete, sender=Material, dispatch_uid="public_material_deleted")
@receiver(post_save, sender=Specialist, dispatch_uid="public_specialist_saved")
@receiver(post_delete, sender=Specialist, dispatch_uid="public_specialist_deleted")
@receiver(post_save, sender=PolicyLink, dispatch_uid="public_policy_link_saved")
@receiver(post_delete, sender=PolicyLink, dispatch_uid="public_policy_link_deleted")
@receiver(post_save, sender=PolicyVersion, dispatch_uid="public_policy_version_saved")
@receiver(post_delete, sender=PolicyVersion, dispatch_uid="public_policy_version_deleted")
def _public_content_changed(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or catalog_services.catalog_signals_suppressed():
        return
    catalog_services.catalog_version_bump()
