"""Safe set-up: demo accounts only on request and never in production, the first
administrator from a prompt or a secret file, existing passwords never changed."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from talentport.people.models import Role, User
from talentport.people.services import DEMO_PASSWORD
from tests.production_env import production_env

pytestmark = pytest.mark.django_db


def _setup(*args: str) -> str:
    out = StringIO()
    call_command("tp_setup", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def fast_setup(monkeypatch: Any) -> None:
    """tp_setup without the slow seed steps: only the account part is under test."""
    from talentport.common.management.commands import tp_setup

    real = tp_setup.call_command

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name in {"migrate", "compilemessages", "collectstatic", "load_catalog"} or name in {
            step for step, _label in tp_setup.SEED_STEPS
        }:
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(tp_setup, "call_command", fake)
    monkeypatch.setattr(tp_setup, "_compile_with_babel", lambda _dir: None)


@pytest.mark.usefixtures("fast_setup")
def test_plain_setup_creates_no_account_and_says_how_to_create_the_administrator() -> None:
    # when
    output = _setup("--no-input")
    # then
    assert User.objects.count() == 0
    assert "--admin-password-file" in output


@pytest.mark.usefixtures("fast_setup")
def test_setup_demo_creates_every_role_and_never_resets_a_changed_password() -> None:
    # given
    _setup("--demo", "--no-input")
    admin = User.objects.get(username="demo_admin")
    admin.set_password("A-much-better-secret-2026")
    admin.save()
    # when
    output = _setup("--demo", "--no-input")
    # then
    assert {u.role for u in User.objects.filter(username__startswith="demo_")} >= {
        Role.APPLICANT,
        Role.WINDOW_SPECIALIST,
        Role.ADMINISTRATOR,
        Role.AUDITOR,
    }
    admin.refresh_from_db()
    assert admin.check_password("A-much-better-secret-2026")
    assert not admin.check_password(DEMO_PASSWORD)
    assert "未修改" in output
    # the demo window specialist can do a window specialist's work in Qingdao
    from talentport.people import permissions

    window = User.objects.get(username="demo_window")
    assert permissions.can(
        window, permissions.Perm.ARCHIVE_MANAGE, permissions.Target("qingdao.shinan")
    )


def test_demo_is_refused_in_production_before_anything_happens(settings: Any) -> None:
    # given
    settings.PRODUCTION = True
    # when / then
    with pytest.raises(CommandError, match="生产环境"):
        _setup("--demo")
    with pytest.raises(CommandError, match="生产环境"):
        call_command("create_demo_accounts", stdout=StringIO())
    assert not User.objects.filter(username__startswith="demo_").exists()


def test_the_cli_answers_exit_2_for_demo_in_production(tmp_path: Any) -> None:
    # given a production environment with its secrets
    env = production_env(tmp_path / "data", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    # when
    done = subprocess.run(
        [sys.executable, "-m", "talentport.cli", "setup", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert done.returncode == 2, done.stderr
    assert "演示账户" in done.stderr
    assert not (tmp_path / "db.sqlite3").exists() or "demo_admin" not in (
        tmp_path / "db.sqlite3"
    ).read_bytes().decode("latin-1")


@pytest.mark.usefixtures("fast_setup")
def test_first_administrator_from_a_secret_file(tmp_path: Any) -> None:
    # given
    secret = tmp_path / "admin-password"
    secret.write_text("Qingdao-Bureau-Admin-2026\n", encoding="utf-8")
    # when
    _setup("--admin-username", "bureau_admin", "--admin-password-file", str(secret))
    # then
    admin = User.objects.get(username="bureau_admin")
    assert admin.role == Role.ADMINISTRATOR and admin.is_superuser
    assert admin.check_password("Qingdao-Bureau-Admin-2026")
    # and a second run changes nothing
    secret.write_text("Another-Password-2027", encoding="utf-8")
    _setup("--admin-username", "bureau_admin", "--admin-password-file", str(secret))
    admin.refresh_from_db()
    assert admin.check_password("Qingdao-Bureau-Admin-2026")
    assert User.objects.count() == 1


@pytest.mark.usefixtures("fast_setup")
def test_a_weak_administrator_password_is_refused(tmp_path: Any) -> None:
    secret = tmp_path / "admin-password"
    secret.write_text("123456", encoding="utf-8")
    with pytest.raises(CommandError, match="密码不符合要求"):
        _setup("--admin-password-file", str(secret))
    assert User.objects.count() == 0


@pytest.mark.usefixtures("fast_setup")
def test_an_existing_username_is_never_turned_into_the_administrator(tmp_path: Any) -> None:
    # given
    User.objects.create_user(username="admin", password="Someone-Else-2026")
    secret = tmp_path / "admin-password"
    secret.write_text("Qingdao-Bureau-Admin-2026", encoding="utf-8")
    # when / then
    with pytest.raises(CommandError, match="已被使用"):
        _setup("--admin-password-file", str(secret))
    someone = User.objects.get(username="admin")
    assert someone.check_password("Someone-Else-2026") and not someone.is_superuser


@pytest.mark.usefixtures("fast_setup")
def test_first_administrator_from_the_interactive_prompt(monkeypatch: Any) -> None:
    # given
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda _prompt="": "chief")
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": "Typed-At-The-Prompt-2026")
    # when
    _setup()
    # then
    chief = User.objects.get(username="chief")
    assert chief.role == Role.ADMINISTRATOR
    assert chief.check_password("Typed-At-The-Prompt-2026")
