"""The environment of a production process, for tests that start one: every secret the
settings demand there, each different from the others."""

from __future__ import annotations

import os
from pathlib import Path

SECRETS = {
    "SECRET_KEY": "production-test-secret-key-0123456789-abcdefghijklmnopqrstuvwx",
    "FIELD_ENCRYPTION_KEY": "production-test-field-encryption-key-0123456789-abcdefgh",
    "FIELD_BLIND_INDEX_KEY": "production-test-blind-index-key-0123456789-abcdefghijkl",
    "AUDIT_CHAIN_KEY": "production-test-audit-chain-key-0123456789-abcdefghijklm",
}
OWN = ("FIELD_", "AUDIT_", "SECRET_KEY", "TALENTPORT_", "DJANGO_SETTINGS", "DATABASE_URL")


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """``os.environ`` without the project's own variables, plus production settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN)}
    env.update(SECRETS)
    env.update(
        TALENTPORT_ENV="production",
        TALENTPORT_DATA_DIR=str(data_dir),
        ALLOWED_HOSTS="talentport.example.cn",
        DJANGO_SETTINGS_MODULE="talentport.settings",
    )
    env.update(extra)
    return env
