"""EncryptedJSONField: a JSON document stored as one Fernet token in a text column."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import connection, models
from django.test.utils import isolate_apps
from rest_framework import serializers

from talentport.common.crypto import EncryptedJSONField, decrypt

ID = "370202199001011237"


@pytest.fixture
def form_model():
    with isolate_apps("talentport.common"):

        class Form(models.Model):
            data = EncryptedJSONField(default=dict, blank=True)
            extra = EncryptedJSONField(null=True, blank=True)

            class Meta:
                app_label = "common"
                db_table = "test_crypto_form"

            def __str__(self) -> str:
                return str(self.pk)

        yield Form


@pytest.fixture
def form_table(form_model, transactional_db):
    with connection.schema_editor() as editor:
        editor.create_model(form_model)
    try:
        yield form_model
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(form_model)


def test_stores_a_token_and_gives_the_document_back(form_table):
    # given a form with an ID number, a phone and Chinese text
    data = {"id_number": ID, "phone": "13912345678", "name": "张三", "items": [1, 2.5, None]}
    row = form_table.objects.create(data=data, extra=["a", {"b": True}])
    # when read raw, and through the model
    with connection.cursor() as cursor:
        cursor.execute("SELECT data, extra FROM test_crypto_form")
        stored, extra = cursor.fetchone()
    # then the column holds ciphertext only, the model the same document
    assert ID not in stored and "13912345678" not in stored and "张三" not in stored
    assert '"张三"' in decrypt(stored)  # UTF-8 JSON inside
    again = form_table.objects.get(pk=row.pk)
    assert again.data == data and again.extra == ["a", {"b": True}]


def test_null_stays_null_and_isnull_works(form_table):
    form_table.objects.create(data={})
    with connection.cursor() as cursor:
        cursor.execute("SELECT extra FROM test_crypto_form")
        assert cursor.fetchone()[0] is None
    assert form_table.objects.filter(extra__isnull=True).count() == 1
    assert form_table.objects.get().data == {}


def test_lookups_into_ciphertext_are_refused(form_model):
    for lookup in ({"data__phone": "1"}, {"data__contains": {"a": 1}}, {"data": {}}):
        with pytest.raises(FieldError):
            str(form_model.objects.filter(**lookup).query)


def test_column_is_text_and_serializers_still_see_json(form_model):
    field = form_model._meta.get_field("data")
    assert field.db_type(connection) == connection.data_types["TextField"]

    class FormSerializer(serializers.ModelSerializer):
        class Meta:
            model = form_model
            fields = ["data"]

    assert isinstance(FormSerializer().fields["data"], serializers.JSONField)


def test_migration_path_is_stable(form_model):
    _, path, _, kwargs = form_model._meta.get_field("data").deconstruct()
    assert path == "talentport.common.crypto.EncryptedJSONField"
    assert kwargs["default"] is dict
