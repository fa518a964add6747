"""Copy the cases app's guardian authorisations and employee consents into
people.AccessGrant (one model for every "may see / act for this person" tie)."""

from django.db import migrations


def forward(apps, schema_editor):
    AccessGrant = apps.get_model("people", "AccessGrant")
    GuardianAuthorisation = apps.get_model("cases", "GuardianAuthorisation")
    EmployeeConsent = apps.get_model("cases", "EmployeeConsent")
    rows = []
    for auth in GuardianAuthorisation.objects.select_related("application").iterator():
        application = auth.application
        # Only a grant the applicant made themself is carried over: a row whose
        # "person" is not the application's applicant was made by someone else.
        if application is not None and application.applicant_id != auth.person_id:
            continue
        rows.append(
            AccessGrant(
                uuid=auth.uuid,
                person_id=auth.person_id,
                grantee_id=auth.guardian_id,
                kind="guardian",
                application=application.uuid if application is not None else None,
                granted_by_id=auth.person_id,
                revoked_at=auth.revoked_at,
            )
        )
    for consent in EmployeeConsent.objects.iterator():
        rows.append(
            AccessGrant(
                uuid=consent.uuid,
                person_id=consent.employee_id,
                grantee_id=consent.employer_id,
                kind="employer",
                granted_by_id=consent.employee_id,
                revoked_at=consent.revoked_at,
            )
        )
    AccessGrant.objects.bulk_create(rows, batch_size=500)


def backward(apps, schema_editor):
    AccessGrant = apps.get_model("people", "AccessGrant")
    GuardianAuthorisation = apps.get_model("cases", "GuardianAuthorisation")
    EmployeeConsent = apps.get_model("cases", "EmployeeConsent")
    Application = apps.get_model("cases", "Application")
    for grant in AccessGrant.objects.filter(kind="guardian").iterator():
        application = (
            Application.objects.filter(uuid=grant.application).first()
            if grant.application
            else None
        )
        GuardianAuthorisation.objects.create(
            uuid=grant.uuid,
            person_id=grant.person_id,
            guardian_id=grant.grantee_id,
            application=application,
            revoked_at=grant.revoked_at,
        )
    for grant in AccessGrant.objects.filter(kind="employer").iterator():
        EmployeeConsent.objects.create(
            uuid=grant.uuid,
            employee_id=grant.person_id,
            employer_id=grant.grantee_id,
            revoked_at=grant.revoked_at,
        )
    AccessGrant.objects.filter(kind__in=["guardian", "employer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_staff_scopes_access_grants"),
        ("cases", "0003_return_visit_outcome"),
    ]

    operations = [migrations.RunPython(forward, backward)]
