"""Existing grants get the jurisdiction of their policy and the department of the
service item that pays it (so staff scopes can be applied to them)."""

from django.db import migrations


def forward(apps, schema_editor):
    Grant = apps.get_model("funds", "Grant")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    PolicyLink = apps.get_model("catalog", "PolicyLink")
    jurisdictions = dict(
        PolicyVersion.objects.order_by("policy_id", "version").values_list(
            "policy_id", "jurisdiction"
        )
    )
    departments = dict(
        PolicyLink.objects.order_by("id").values_list("policy_id", "service__department_id")
    )
    for grant in Grant.objects.filter(jurisdiction="").iterator():
        grant.jurisdiction = jurisdictions.get(grant.policy_id, "")
        grant.department_id = departments.get(grant.policy_id)
        grant.save(update_fields=["jurisdiction", "department"])


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0002_grant_jurisdiction_department"),
        ("policies", "0001_initial"),
        ("catalog", "0003_history_partner_departments_version_stamp"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
