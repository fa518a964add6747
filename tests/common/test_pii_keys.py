"""The field-encryption keys are keys of their own: required in production, never
SECRET_KEY (the deploy check), rotatable from the environment, and development data
written under the old default stays readable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core import checks

from talentport import settings as settings_module
from talentport.common.checks import check_field_encryption_keys
from talentport.common.crypto import blind_index, blind_index_candidates, decrypt, encrypt
from tests.production_env import SECRETS

ID = "370202199001011237"
REPO = Path(__file__).resolve().parents[2]
GOOD = "k" * 48


def _production(**env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FIELD_", "SECRET_KEY", "TALENTPORT_ENV", "DJANGO_SETTINGS"))
    }
    base.update(
        TALENTPORT_ENV="production",
        SECRET_KEY="a-real-production-secret-0123456789abcdefghijklmnop",
        ALLOWED_HOSTS="talentport.example.cn",
        DJANGO_SETTINGS_MODULE="talentport.settings",
        TALENTPORT_DATA_DIR="/tmp/talentport-pii-keys-test",  # noqa: S108 - never written
        AUDIT_CHAIN_KEY=SECRETS["AUDIT_CHAIN_KEY"],
    )
    base.update(env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_the_keys() -> None:
    # given production with a real SECRET_KEY but no field-encryption key
    result = _production()
    # then start-up fails loudly instead of falling back to SECRET_KEY
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "FIELD_ENCRYPTION_KEY" in result.stderr
    only_one = _production(FIELD_ENCRYPTION_KEY=GOOD)
    assert only_one.returncode != 0 and "FIELD_BLIND_INDEX_KEY" in only_one.stderr


def test_production_reads_keys_and_old_keys_from_env_or_files(tmp_path: Path) -> None:
    (tmp_path / "key").write_text(GOOD + "\n")
    (tmp_path / "old").write_text("first-old-secret\nsecond-old-secret, third\n")
    result = _production(
        FIELD_ENCRYPTION_KEY_FILE=str(tmp_path / "key"),
        FIELD_BLIND_INDEX_KEY="i" * 40,
        FIELD_ENCRYPTION_OLD_KEYS_FILE=str(tmp_path / "old"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (GOOD + " ['first-old-secret', 'second-old-secret', 'third']")
    listed = _production(
        FIELD_ENCRYPTION_KEY=GOOD, FIELD_BLIND_INDEX_KEY="i" * 40, FIELD_ENCRYPTION_OLD_KEYS="a, b"
    )
    assert listed.stdout.strip().endswith("['a', 'b']")


def test_development_keys_are_not_secret_key(settings: Any) -> None:
    assert settings.FIELD_ENCRYPTION_KEY == settings_module.DEV_FIELD_ENCRYPTION_KEY
    assert settings.FIELD_ENCRYPTION_KEY != settings.SECRET_KEY
    assert settings.FIELD_BLIND_INDEX_KEY not in (
        settings.SECRET_KEY,
        settings.FIELD_ENCRYPTION_KEY,
    )


def test_development_data_written_under_the_old_default_stays_readable(settings: Any) -> None:
    # given a value encrypted and indexed as before: both keys derived from SECRET_KEY
    current = (
        settings.FIELD_ENCRYPTION_KEY,
        settings.FIELD_BLIND_INDEX_KEY,
        settings.FIELD_ENCRYPTION_OLD_KEYS,
        settings.FIELD_BLIND_INDEX_OLD_KEYS,
    )
    settings.FIELD_ENCRYPTION_KEY = settings.SECRET_KEY
    settings.FIELD_BLIND_INDEX_KEY = ""
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    token, index = encrypt(ID), blind_index(ID)
    # when the settings of today apply (development defaults)
    (
        settings.FIELD_ENCRYPTION_KEY,
        settings.FIELD_BLIND_INDEX_KEY,
        settings.FIELD_ENCRYPTION_OLD_KEYS,
        settings.FIELD_BLIND_INDEX_OLD_KEYS,
    ) = current
    # then the old value decrypts and the old index is still searched
    assert decrypt(token) == ID
    assert index in blind_index_candidates(ID)
    assert blind_index(ID) != index  # new writes use the new key


def _ids(problems: list[Any]) -> set[str]:
    return {p.id for p in problems}


def test_deploy_check_refuses_secret_key_dev_default_and_short_keys(settings: Any) -> None:
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    settings.FIELD_BLIND_INDEX_OLD_KEYS = []
    settings.FIELD_ENCRYPTION_KEY = settings.SECRET_KEY
    settings.FIELD_BLIND_INDEX_KEY = "i" * 40
    assert _ids(check_field_encryption_keys()) == {"talentport.E101"}
    settings.FIELD_ENCRYPTION_KEY = settings_module.DEV_FIELD_ENCRYPTION_KEY
    assert _ids(check_field_encryption_keys()) == {"talentport.E102"}
    settings.FIELD_ENCRYPTION_KEY = "short"
    settings.FIELD_BLIND_INDEX_KEY = settings_module.DEV_FIELD_BLIND_INDEX_KEY
    assert _ids(check_field_encryption_keys()) == {"talentport.E103", "talentport.E112"}
    settings.FIELD_ENCRYPTION_KEY = GOOD
    settings.FIELD_BLIND_INDEX_KEY = "i" * 40
    assert check_field_encryption_keys() == []
    settings.FIELD_ENCRYPTION_OLD_KEYS = [settings.SECRET_KEY]
    assert _ids(check_field_encryption_keys()) == {"talentport.W121"}


def test_the_check_runs_with_check_deploy_only() -> None:
    deploy = checks.registry.registry.get_checks(include_deployment_checks=True)
    plain = checks.registry.registry.get_checks(include_deployment_checks=False)
    assert check_field_encryption_keys in deploy and check_field_encryption_keys not in plain


def test_old_keys_from_the_environment(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("X_KEYS", " a , b,,c ")
    assert settings_module.env_secret_list("X_KEYS", []) == ["a", "b", "c"]
    monkeypatch.delenv("X_KEYS")
    assert settings_module.env_secret_list("X_KEYS", ["d"]) == ["d"]
    (tmp_path / "k").write_text("e\nf,g\n\n")
    monkeypatch.setenv("X_KEYS_FILE", str(tmp_path / "k"))
    assert settings_module.env_secret_list("X_KEYS", []) == ["e", "f", "g"]
