"""Personal data encrypted at rest, and searchable by exact match.

- Encryption: Fernet (AES-128-CBC + HMAC-SHA256, random IV, so the same value
  encrypts differently every time) with a key derived by HKDF-SHA256 from
  ``settings.FIELD_ENCRYPTION_KEY`` (a secret of its own, never ``SECRET_KEY``:
  see settings and ``talentport.common.checks``).  Key rotation: put the previous
  secrets in ``settings.FIELD_ENCRYPTION_OLD_KEYS`` (a list); everything still
  decrypts, new writes use the current key, :func:`rotate` re-encrypts a token and
  ``manage.py pii_rotate`` re-encrypts every column.
- Search: :func:`blind_index` is an HMAC-SHA256 of the normalised value under a
  second key derived from ``FIELD_BLIND_INDEX_KEY`` (so that the encryption key can
  rotate without re-indexing; previous index secrets in
  ``FIELD_BLIND_INDEX_OLD_KEYS`` keep old indexes searchable until ``pii_rotate``
  recomputes them).  Store it next to the ciphertext (:class:`BlindIndexField`) and
  look the value up with :func:`blind_index_filter`.
- :class:`EncryptedTextField` is a ``TextField`` that holds the Fernet token and
  gives back the plaintext; only ``isnull`` lookups work on it (a random IV makes
  ``=`` meaningless: search through the blind index).
- :class:`EncryptedJSONField` is a ``JSONField`` whose whole value is one Fernet
  token in a text column (the API and forms still see a dict or list); no key
  lookups (``form_data__phone``): index the keys staff search by with a
  :class:`BlindIndexField` whose ``source`` is a property of the model.

Reading a decrypted value for a person should be logged: see
``talentport.common.pii.log_pii_access``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

__all__ = [
    "BlindIndexField",
    "DecryptionError",
    "EncryptedJSONField",
    "EncryptedTextField",
    "blind_index",
    "blind_index_candidates",
    "blind_index_filter",
    "decrypt",
    "decrypt_bytes",
    "encrypt",
    "encrypt_bytes",
    "encrypted_fields",
    "is_current",
    "is_token",
    "rotate",
]

_SALT = b"talentport.field-encryption.v1"
_INFO_FERNET = b"fernet"
_INFO_BLIND_INDEX = b"blind-index"


class DecryptionError(ValueError):
    """A stored value cannot be decrypted with any configured key."""


def _derive(secret: str, info: bytes) -> bytes:
    if not secret:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 未配置")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(
        secret.encode("utf-8")
    )


def _old(name: str, current: str) -> list[str]:
    old = getattr(settings, name, []) or []
    if isinstance(old, str):
        raise ImproperlyConfigured(name + " 必须是列表，不能是字符串")
    return [k for k in old if k and k != current]


def _secrets() -> tuple[str, ...]:
    current = settings.FIELD_ENCRYPTION_KEY
    return (current, *_old("FIELD_ENCRYPTION_OLD_KEYS", current))


@lru_cache(maxsize=8)
def _multi_fernet(secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(s, _INFO_FERNET))) for s in secrets]
    )


@lru_cache(maxsize=8)
def _index_key(secret: str) -> bytes:
    return _derive(secret, _INFO_BLIND_INDEX)


def _fernet() -> MultiFernet:
    return _multi_fernet(_secrets())


def _index_secrets() -> tuple[str, ...]:
    dedicated = getattr(settings, "FIELD_BLIND_INDEX_KEY", "") or ""
    if dedicated:
        return (dedicated, *_old("FIELD_BLIND_INDEX_OLD_KEYS", dedicated))
    return _secrets()


def encrypt(plaintext: str) -> str:
    """Fernet token (ASCII) of ``plaintext`` under the current key."""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Plaintext of a token made with the current or any old key."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError("无法解密：数据已损坏或加密密钥不匹配") from exc


def encrypt_bytes(content: bytes) -> bytes:
    """Fernet token of a whole file (e.g. an upload waiting in the queue)."""
    return _fernet().encrypt(content)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise DecryptionError("无法解密：数据已损坏或加密密钥不匹配") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the current key (for a key-rotation job)."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError("无法解密：数据已损坏或加密密钥不匹配") from exc


def is_current(token: str) -> bool:
    """True when ``token`` decrypts under the current key alone (no rotation needed)."""
    try:
        _multi_fernet((settings.FIELD_ENCRYPTION_KEY,)).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


def is_token(value: str) -> bool:
    """True when ``value`` is a token that decrypts under the current or an old key."""
    try:
        decrypt(value)
    except DecryptionError:
        return False
    return True


def _hmac_hex(key: bytes, value: str, scope: str) -> str:
    message = scope.encode("utf-8") + b"\x00" + value.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def blind_index(value: str, *, scope: str = "") -> str:
    """Keyed hash (64 hex characters) of an already normalised value.

    Equal values give equal indexes under the same key and ``scope``; without the key
    an index says nothing about the value, not even for a 18-digit ID number whose
    plain SHA-256 could be brute-forced.  ``scope`` separates columns that should not
    be linkable (e.g. ``"people.guardian.phone"``).
    """
    return _hmac_hex(_index_key(_index_secrets()[0]), value, scope)


def blind_index_candidates(value: str, *, scope: str = "") -> list[str]:
    """The index of ``value`` under the current and every old key (during a rotation)."""
    return [_hmac_hex(_index_key(s), value, scope) for s in _index_secrets()]


# --------------------------------------------------------------------------- #
# Model fields
# --------------------------------------------------------------------------- #


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text encrypted at rest: the column holds a Fernet token, Python sees plaintext.

    ``None`` stays NULL.  Only ``isnull`` lookups are allowed; search through a
    :class:`BlindIndexField`.  Note that ``dumpdata`` writes plaintext.
    """

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None  # Django raises FieldError: unsupported lookup
        return super().get_lookup(lookup_name)


class EncryptedJSONField(models.JSONField):
    """JSON encrypted at rest: the column is text holding one Fernet token of the
    whole JSON document; Python (models, serializers, forms) sees the dict or list.

    Use it for JSON that holds personal data (a form with an ID number and a phone).
    ``None`` stays NULL.  Only ``isnull`` lookups are allowed: no key, contains or
    equality lookups run on ciphertext; index what staff search by with a
    :class:`BlindIndexField` (its ``source`` may be a property reading one key).
    """

    description = "Encrypted JSON"

    def get_internal_type(self) -> str:
        # A text column: no JSON type, no JSON_VALID check on SQLite, no jsonb adapter.
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(decrypt(value), cls=self.decoder)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or hasattr(value, "as_sql"):
            return value
        return encrypt(json.dumps(value, cls=self.encoder, ensure_ascii=False))

    def select_format(self, compiler: Any, sql: Any, params: Any) -> Any:
        return models.Field.select_format(self, compiler, sql, params)

    def get_transform(self, name: str) -> Any:
        return None  # no key transforms over ciphertext: FieldError

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            return None  # Django raises FieldError: unsupported lookup
        return super().get_lookup(lookup_name)


def encrypted_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The encrypted concrete fields of ``model`` (text and JSON)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField | EncryptedJSONField)
    ]


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """The blind index of another field of the same model, kept up to date on save.

    ``source`` names that field; ``normalizer`` (a module-level function, e.g.
    ``talentport.common.idcard.validate_id_card``) is applied first so that equal
    values written differently index the same; ``scope`` defaults to
    ``"<app_label>.<model>.<source>"``.  Recomputed in ``pre_save``, i.e. on
    ``save()`` and ``bulk_create``; ``QuerySet.update`` and ``save(update_fields=...)``
    without this field do not see it.  An empty or NULL source gives an empty index.
    """

    def __init__(
        self,
        *args: Any,
        source: str = "",
        normalizer: Callable[[str], str] | None = None,
        scope: str = "",
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.normalizer = normalizer
        self.scope = scope
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.normalizer is not None:
            kwargs["normalizer"] = self.normalizer
        if self.scope:
            kwargs["scope"] = self.scope
        return name, path, args, kwargs

    @property
    def index_scope(self) -> str:
        if self.scope:
            return self.scope
        return f"{self.model._meta.label_lower}.{self.source}"

    def normalize(self, value: str) -> str:
        return self.normalizer(value) if self.normalizer is not None else value

    def index_for(self, value: str | None) -> str:
        """The index a source value gets (normalised first); "" for empty."""
        if value is None or value == "":
            return ""
        return blind_index(self.normalize(value), scope=self.index_scope)

    def candidates_for(self, value: str) -> list[str]:
        return blind_index_candidates(self.normalize(value), scope=self.index_scope)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        if not self.source:
            raise ImproperlyConfigured(f"{self.model.__name__}.{self.name}: 缺少 source")
        index = self.index_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, index)
        return index


def blind_index_filter(model: type[models.Model], index_field: str, value: str) -> Q:
    """``Q`` matching rows whose ``index_field`` indexes ``value`` (under any key).

    ``Person.objects.filter(blind_index_filter(Person, "id_card_index", raw))``; the
    normalizer of the field runs on ``value`` first, and may raise ``ValueError``.
    """
    field = model._meta.get_field(index_field)
    if not isinstance(field, BlindIndexField):
        raise TypeError(f"{model.__name__}.{index_field} 不是 BlindIndexField")
    candidates: Sequence[str] = field.candidates_for(value)
    return Q(**{f"{index_field}__in": list(candidates)})
