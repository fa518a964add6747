"""The data migrations encrypt rows written before the columns were encrypted, and
give the plaintext back when reversed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from talentport.common.crypto import is_token

BEFORE = [("cases", "0003_return_visit_outcome"), ("jobs", "0002_fair_capacity_and_status")]
AFTER = [("cases", "0005_encrypt_form_and_degree_rows"), ("jobs", "0004_encrypt_contacts_rows")]
FORM = {"id_number": "370202199001011237", "phone": "13912345678", "name": "张三"}


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _raw(sql: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_existing_rows_are_encrypted_and_the_migration_reverses() -> None:
    # given the schema before encryption, with rows in clear
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("people", "User").objects.create(username="zhang")
    bundle = old.get_model("cases", "Bundle").objects.create(code="b", title="B", city="weihai")
    old.get_model("cases", "Application").objects.create(
        applicant_id=user.pk,
        filed_by_id=user.pk,
        bundle_id=bundle.pk,
        bundle_version=1,
        stage="after",
        form_data=FORM,
    )
    old.get_model("cases", "DegreeConfirmation").objects.create(
        owner_id=user.pk, data={"school": "爱丁堡大学"}, confirmed_at=dt.datetime.now(dt.UTC)
    )
    profile = old.get_model("people", "TalentProfile").objects.create(user_id=user.pk)
    old.get_model("jobs", "TalentPoolEntry").objects.create(
        profile_id=profile.pk,
        full_name="张三",
        school="曼大",
        country="英国",
        major="材料",
        degree="doctor",
        phone="13912345678",
        email="zhang@example.cn",
    )
    old.get_model("jobs", "EmployerOrg").objects.create(
        name="某公司", org_type="private", contact_phone="13811112222"
    )
    try:
        # when the migrations run
        _migrate(AFTER)
        # then the rows hold tokens, with masked copies and indexes
        ((form, phone_index),) = _raw("SELECT form_data, phone_index FROM cases_application")
        assert (
            is_token(str(form)) and "13912345678" not in str(form) and len(str(phone_index)) == 64
        )
        ((degree,),) = _raw("SELECT data FROM cases_degreeconfirmation")
        assert is_token(str(degree))
        ((phone, email, masked, email_masked),) = _raw(
            "SELECT phone, email, phone_masked, email_masked FROM jobs_talentpoolentry"
        )
        assert is_token(str(phone)) and is_token(str(email))
        assert (masked, email_masked) == ("139****5678", "z***@example.cn")
        ((org_phone, org_masked),) = _raw(
            "SELECT contact_phone, contact_phone_masked FROM jobs_employerorg"
        )
        assert is_token(str(org_phone)) and org_masked == "138****2222"

        from talentport.cases.models import Application
        from talentport.common.crypto import blind_index_filter

        assert Application.objects.get().form_data == FORM
        # the window specialist's search by phone finds the person through the new index
        by_phone = Application.objects.filter(
            blind_index_filter(Application, "phone_index", "13912345678")
        )
        assert [a.applicant.username for a in by_phone] == ["zhang"]
        # running the data migration again changes nothing (already tokens)
        from talentport.common.crypto_migrations import encrypt_rows

        assert encrypt_rows(connection, "cases_application", json_columns=["form_data"]) == 0

        # when reversed, the plaintext comes back
        _migrate(BEFORE)
        ((form,),) = _raw("SELECT form_data FROM cases_application")
        assert json.loads(str(form)) == FORM
        ((phone, email),) = _raw("SELECT phone, email FROM jobs_talentpoolentry")
        assert (phone, email) == ("13912345678", "zhang@example.cn")
    finally:
        _migrate(executor.loader.graph.leaf_nodes())
