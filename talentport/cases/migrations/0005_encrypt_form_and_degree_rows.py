"""Data migration: encrypt the 一件事 forms and the 学历汇 data already stored, and
index the form phones (reversible: backwards writes the plaintext back)."""

from django.db import migrations

from talentport.common.crypto import blind_index
from talentport.common.crypto_migrations import encrypt_columns
from talentport.common.idcard import normalize_phone


def _phone_index(plain):
    form = plain.get("form_data") or {}
    phone = str(form.get("phone") or "").strip() if isinstance(form, dict) else ""
    if not phone:
        return {"phone_index": ""}
    return {"phone_index": blind_index(normalize_phone(phone), scope="cases.application.form_data.phone")}


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_encrypt_form_and_degree")]

    operations = [
        encrypt_columns("cases_application", json_columns=["form_data"], derive=_phone_index),
        encrypt_columns("cases_degreeconfirmation", json_columns=["data"]),
    ]
