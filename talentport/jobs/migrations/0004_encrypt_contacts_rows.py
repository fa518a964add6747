"""Data migration: encrypt the talent-pool phones and e-mails and the employers'
contact phones already stored, with their masked copies and the phone index
(reversible: backwards writes the plaintext back)."""

from django.db import migrations

from talentport.common.crypto import blind_index
from talentport.common.crypto_migrations import encrypt_columns
from talentport.common.idcard import mask_email, mask_phone, normalize_phone


def _pool_derived(plain):
    phone = (plain.get("phone") or "").strip()
    email = (plain.get("email") or "").strip()
    return {
        "phone_masked": mask_phone(phone) if phone else "",
        "phone_index": blind_index(normalize_phone(phone), scope="jobs.talentpoolentry.phone")
        if phone
        else "",
        "email_masked": mask_email(email) if email else "",
    }


def _org_derived(plain):
    phone = (plain.get("contact_phone") or "").strip()
    return {"contact_phone_masked": mask_phone(phone) if phone else ""}


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_encrypt_contacts")]

    operations = [
        encrypt_columns("jobs_talentpoolentry", text=["phone", "email"], derive=_pool_derived),
        encrypt_columns("jobs_employerorg", text=["contact_phone"], derive=_org_derived),
    ]
