"""``create_demo_accounts``: one demo account per role, with documented passwords.

Idempotent: an account that exists already is left as it is (its password is never
reset). Refused in production (``TALENTPORT_ENV=production``).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from talentport.people.models import Role
from talentport.people.services import DemoAccountsRefused, demo_accounts_ensure


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, counting CJK characters as two columns."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - columns, 1)


class Command(BaseCommand):
    help = "创建每个角色的演示账户（已存在的不修改）并打印账户列表；生产环境拒绝"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = demo_accounts_ensure()
        except DemoAccountsRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("演示账户 / demo accounts:")
        self.stdout.write(_pad("用户名", 18) + _pad("密码", 19) + _pad("角色", 16) + "说明")
        for result in results:
            account = result.account
            role_label = str(Role(account.role).label)
            if account.role == Role.DEPARTMENT_SPECIALIST and account.department is None:
                line = _pad(account.username, 18) + _pad("—", 19) + _pad(role_label, 16)
                self.stdout.write(self.style.WARNING(line + "未创建：" + account.note))
                continue
            notes = ["新建" if result.created else "已存在，未修改"]
            if account.department is not None:
                notes.append("绑定部门：" + account.department.name)
            if account.is_superuser:
                notes.append("可登录后台 /admin/")
            if account.note:
                notes.append(account.note)
            line = _pad(account.username, 18) + _pad(account.password, 19) + _pad(role_label, 16)
            self.stdout.write(line + "；".join(notes))
