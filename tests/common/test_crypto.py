"""Personal data encrypted at rest, blind indexes, and the PII access log."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import connection, models
from django.test.utils import isolate_apps

from talentport.common import crypto
from talentport.common.crypto import (
    BlindIndexField,
    DecryptionError,
    EncryptedTextField,
    blind_index,
    blind_index_candidates,
    blind_index_filter,
    decrypt,
    encrypt,
    rotate,
)
from talentport.common.idcard import validate_id_card

ID = "370202199001011237"


def test_roundtrip_and_ciphertext_differs_from_plaintext():
    token = encrypt(ID)
    assert token != ID
    assert ID not in token
    assert decrypt(token) == ID
    assert decrypt(encrypt("张三 13800138000")) == "张三 13800138000"
    assert decrypt(encrypt("")) == ""


def test_same_value_encrypts_differently_each_time():
    assert encrypt(ID) != encrypt(ID)


def test_tampered_token_is_refused():
    token = encrypt(ID)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(DecryptionError, match="无法解密"):
        decrypt(tampered)


def test_blind_index_is_stable_and_keyed(settings):
    first = blind_index(ID)
    assert first == blind_index(ID)
    assert len(first) == 64 and ID not in first
    assert blind_index("370202199001011245") != first
    assert blind_index(ID, scope="people.guardian.phone") != first
    # another key gives another index: the index alone reveals nothing
    settings.FIELD_BLIND_INDEX_KEY = "another secret entirely"
    assert blind_index(ID) != first


def test_blind_index_differs_from_the_encryption_key_use(settings):
    # the HMAC key and the Fernet key are derived separately from one secret
    assert crypto._index_key(settings.FIELD_ENCRYPTION_KEY) != crypto._derive(
        settings.FIELD_ENCRYPTION_KEY, b"fernet"
    )


def test_dedicated_blind_index_key_survives_encryption_key_rotation(settings):
    settings.FIELD_BLIND_INDEX_KEY = "index secret"
    before = blind_index(ID)
    settings.FIELD_ENCRYPTION_OLD_KEYS = [settings.FIELD_ENCRYPTION_KEY]
    settings.FIELD_ENCRYPTION_KEY = "new encryption secret"
    assert blind_index(ID) == before


def test_key_rotation(settings):
    # given data written under the old key
    settings.FIELD_ENCRYPTION_KEY = "old secret"
    old_token = encrypt(ID)
    old_index = blind_index(ID)
    # when the key is rotated and the old one kept in FIELD_ENCRYPTION_OLD_KEYS
    settings.FIELD_ENCRYPTION_KEY = "new secret"
    settings.FIELD_ENCRYPTION_OLD_KEYS = ["old secret"]
    # then the old data still decrypts, and rotate() re-encrypts under the new key
    assert decrypt(old_token) == ID
    new_token = rotate(old_token)
    assert old_index in blind_index_candidates(ID)
    assert blind_index(ID) in blind_index_candidates(ID)
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert decrypt(new_token) == ID
    with pytest.raises(DecryptionError):
        decrypt(old_token)


def test_old_keys_must_be_a_list(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_OLD_KEYS = "oops"
    with pytest.raises(ImproperlyConfigured):
        encrypt(ID)


# --------------------------------------------------------------------------- #
# Model fields, on a throw-away table
# --------------------------------------------------------------------------- #


@pytest.fixture
def person_model():
    with isolate_apps("talentport.common"):

        class Person(models.Model):
            name = models.CharField(max_length=40)
            id_card = EncryptedTextField(null=True, blank=True)
            id_card_index = BlindIndexField(source="id_card", normalizer=validate_id_card)

            class Meta:
                app_label = "common"
                db_table = "test_crypto_person"

            def __str__(self) -> str:
                return self.name

        yield Person


@pytest.fixture
def person_table(person_model, transactional_db):
    with connection.schema_editor() as editor:
        editor.create_model(person_model)
    try:
        yield person_model
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(person_model)


def test_encrypted_field_stores_no_plaintext(person_table):
    person_model = person_table
    # given
    person = person_model.objects.create(name="张三", id_card=ID)
    # when the table is read with raw SQL
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_card, id_card_index FROM test_crypto_person")
        stored, index = cursor.fetchone()
    # then neither column shows the number
    assert ID not in stored
    assert ID not in index and len(index) == 64
    assert decrypt(stored) == ID
    # and the model gives it back decrypted
    assert person_model.objects.get(pk=person.pk).id_card == ID


def test_blind_index_search(person_table):
    person_model = person_table
    # given two people, one entered with a lower-case x and spaces
    person_model.objects.create(name="甲", id_card="11010519491231002x")
    person_model.objects.create(name="乙", id_card=ID)
    person_model.objects.create(name="无", id_card=None)
    # when searching by the normalised number
    found = person_model.objects.filter(
        blind_index_filter(person_model, "id_card_index", " 11010519491231002X ")
    )
    # then
    assert [p.name for p in found] == ["甲"]
    assert person_model.objects.get(name="无").id_card_index == ""
    assert person_model.objects.filter(id_card__isnull=True).count() == 1


def test_blind_index_follows_updates(person_table):
    person_model = person_table
    person = person_model.objects.create(name="甲", id_card=ID)
    person.id_card = "11010519491231002X"
    person.save()
    assert not person_model.objects.filter(blind_index_filter(person_model, "id_card_index", ID))
    assert person_model.objects.filter(
        blind_index_filter(person_model, "id_card_index", "11010519491231002X")
    ).exists()


def test_equality_lookups_on_ciphertext_are_refused(person_model):
    with pytest.raises(FieldError):
        person_model.objects.filter(id_card=ID)
    with pytest.raises(FieldError):
        person_model.objects.filter(id_card__icontains="1237")


def test_fields_deconstruct_for_migrations(person_model):
    field = person_model._meta.get_field("id_card_index")
    _, path, _, kwargs = field.deconstruct()
    assert path == "talentport.common.crypto.BlindIndexField"
    assert kwargs["source"] == "id_card"
    assert kwargs["normalizer"] is validate_id_card
    assert field.index_scope == "common.person.id_card"


# --------------------------------------------------------------------------- #
# PII access log
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_log_pii_access_appends_a_record(django_user_model):
    from talentport.common.models import PiiAccessLog
    from talentport.common.pii import log_pii_access, pii_reveal

    # given a staff member looking at a person's phone
    staff = django_user_model.objects.create_user(username="window1", password="x-Long-pass-1")
    subject = django_user_model.objects.create_user(username="talent", password="x-Long-pass-2")
    # when
    entry = log_pii_access(actor=staff, subject=subject, field="phone", purpose="受理档案转递")
    revealed = pii_reveal(actor=None, subject=subject, field="username", purpose="系统核对")
    # then
    assert revealed == "talent"
    logs = list(PiiAccessLog.objects.all())
    assert [(log.actor_id, log.field, log.purpose) for log in logs] == [
        (staff.pk, "phone", "受理档案转递"),
        (None, "username", "系统核对"),
    ]
    assert entry.subject_type == "people.user"
    assert entry.subject_id == str(subject.uuid)
    assert entry.at.tzinfo is not None


@pytest.mark.django_db
def test_pii_access_log_is_append_only(django_user_model):
    from talentport.common.models import PiiAccessLog
    from talentport.common.pii import log_pii_access

    subject = django_user_model.objects.create_user(username="talent", password="x-Long-pass-2")
    entry = log_pii_access(actor=None, subject=subject, field="id_card", purpose="核验身份")
    entry.purpose = "改写"
    with pytest.raises(ValueError, match="只能追加"):
        entry.save()
    with pytest.raises(ValueError, match="不能删除"):
        entry.delete()
    with pytest.raises(ValueError):
        PiiAccessLog.objects.all().delete()
    with pytest.raises(ValueError):
        PiiAccessLog.objects.update(purpose="x")
    assert PiiAccessLog.objects.get().purpose == "核验身份"


@pytest.mark.django_db
def test_pii_access_needs_a_purpose(django_user_model):
    from talentport.common.pii import log_pii_access

    subject = django_user_model.objects.create_user(username="talent", password="x-Long-pass-2")
    with pytest.raises(ValueError, match="目的"):
        log_pii_access(actor=None, subject=subject, field="phone", purpose="  ")
