"""Uploaded files live in a data directory outside the code checkout."""

from __future__ import annotations

import importlib.util
import stat
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

import talentport.settings
from talentport.common.checks import media_outside_code
from talentport.common.management.commands.tp_setup import data_directories_create
from tests.production_env import SECRETS

REPO = Path(__file__).resolve().parents[2]
SETTINGS_FILE = Path(talentport.settings.__file__)
SECRET = "a-real-secret-for-this-test-0123456789-abcdefghijklmnopqrstuvwxyz"


def fresh_settings(monkeypatch: Any, **env: str) -> ModuleType:
    """The settings module as a fresh process with this environment would read it."""
    for name in ("MEDIA_ROOT", "TALENTPORT_DATA_DIR", "XDG_DATA_HOME", "TALENTPORT_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("talentport_settings_probe", SETTINGS_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_media_root_is_not_under_the_repository_by_default(
    monkeypatch: Any, tmp_path: Path
) -> None:
    # given: a developer's machine with nothing configured
    probe = fresh_settings(monkeypatch, HOME=str(tmp_path))
    # then
    assert probe.DATA_DIR == tmp_path / ".local" / "share" / "talentport"
    assert probe.MEDIA_ROOT == probe.DATA_DIR / "private"
    assert REPO not in Path(probe.MEDIA_ROOT).resolve().parents


def test_xdg_data_home_and_explicit_settings_are_followed(monkeypatch: Any, tmp_path: Path) -> None:
    xdg = fresh_settings(monkeypatch, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "xdg"))
    assert xdg.MEDIA_ROOT == tmp_path / "xdg" / "talentport" / "private"
    named = fresh_settings(monkeypatch, TALENTPORT_DATA_DIR=str(tmp_path / "data"))
    assert named.MEDIA_ROOT == tmp_path / "data" / "private"
    override = fresh_settings(
        monkeypatch, TALENTPORT_DATA_DIR=str(tmp_path / "data"), MEDIA_ROOT=str(tmp_path / "m")
    )
    assert override.MEDIA_ROOT == tmp_path / "m"


def test_production_requires_the_data_directory_to_be_named(
    monkeypatch: Any, tmp_path: Path
) -> None:
    keys = {k: v for k, v in SECRETS.items() if k != "SECRET_KEY"}
    with pytest.raises(ImproperlyConfigured, match="TALENTPORT_DATA_DIR"):
        fresh_settings(monkeypatch, TALENTPORT_ENV="production", SECRET_KEY=SECRET, **keys)
    probe = fresh_settings(
        monkeypatch,
        TALENTPORT_ENV="production",
        SECRET_KEY=SECRET,
        TALENTPORT_DATA_DIR=str(tmp_path / "srv"),
        **keys,
    )
    assert probe.MEDIA_ROOT == tmp_path / "srv" / "private"


def test_deploy_check_refuses_media_inside_the_checkout(settings: Any, tmp_path: Path) -> None:
    # given: production with uploads in the old place, inside the checkout
    settings.PRODUCTION = True
    settings.MEDIA_ROOT = REPO / "var" / "private"
    # when
    found = media_outside_code()
    # then
    assert [m.id for m in found] == ["talentport.E001"]
    assert found[0].level == checks.ERROR
    in_deploy_run = checks.run_checks(include_deployment_checks=True)
    assert "talentport.E001" in {m.id for m in in_deploy_run}
    # inside the package or under STATIC_ROOT is as bad; outside is fine
    settings.MEDIA_ROOT = REPO / "talentport" / "media"
    assert [m.id for m in media_outside_code()] == ["talentport.E001"]
    settings.MEDIA_ROOT = Path(settings.STATIC_ROOT) / "uploads"
    assert media_outside_code()
    settings.MEDIA_ROOT = tmp_path / "private"
    assert media_outside_code() == []
    # in development it is a warning
    settings.PRODUCTION = False
    settings.MEDIA_ROOT = REPO / "var" / "private"
    assert [m.id for m in media_outside_code()] == ["talentport.W001"]


def test_setup_creates_the_data_directories_for_this_account_only(
    settings: Any, tmp_path: Path
) -> None:
    # given: a fresh machine, no data directory yet
    settings.DATA_DIR = tmp_path / "share" / "talentport"
    settings.MEDIA_ROOT = settings.DATA_DIR / "private"
    # when
    made = data_directories_create()
    # then
    assert made == [settings.DATA_DIR, settings.MEDIA_ROOT]
    for directory in made:
        assert directory.is_dir()
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert data_directories_create() == made  # again: nothing breaks
