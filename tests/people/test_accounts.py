"""Accounts: sign-up, login, lockout, password reset, idle expiry, demo accounts, workbench."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from talentport.people.models import Role, User
from talentport.people.services import (
    DEMO_DEPARTMENT_NAME,
    DEMO_PASSWORD,
    RegistrationError,
    user_register,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Haigui-Qingdao-2026"


def make_user(role: str = Role.APPLICANT, username: str = "lihua", **extra: object) -> User:
    return User.objects.create_user(
        username=username, email=username + "@example.com", password=PASSWORD, role=role, **extra
    )


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "role": "applicant",
        "username": "wangfang",
        "display_name": "王芳",
        "email": "wangfang@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


# --- sign-up ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["applicant", "guardian", "employer"])
def test_signup_creates_a_self_service_account_and_logs_in(client, role):
    # when
    response = client.post(reverse("people:signup"), signup_data(role=role))
    # then
    assert response.status_code == 302 and response["Location"] == reverse("people:account")
    user = User.objects.get(username="wangfang")
    assert user.role == role and user.display_name == "王芳" and user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser
    page = client.get(reverse("people:account"))
    assert page.status_code == 200 and "王芳" in page.content.decode()


@pytest.mark.parametrize(
    "role", ["window_specialist", "department_specialist", "administrator", "root"]
)
def test_signup_refuses_staff_roles(client, role):
    response = client.post(reverse("people:signup"), signup_data(role=role))
    assert response.status_code == 200
    assert "注册身份" in response.content.decode()
    assert not User.objects.filter(username="wangfang").exists()


def test_user_register_refuses_staff_roles_directly():
    with pytest.raises(RegistrationError):
        user_register(
            username="x", email="x@example.com", password=PASSWORD, role=Role.ADMINISTRATOR
        )


def test_signup_checks_passwords_and_duplicate_usernames(client):
    make_user(username="wangfang")
    mismatch = client.post(reverse("people:signup"), signup_data(username="new1", password2="x"))
    weak = client.post(
        reverse("people:signup"), signup_data(username="new2", password1="123", password2="123")
    )
    taken = client.post(reverse("people:signup"), signup_data(username="WangFang"))
    assert "两次输入的密码不一致" in mismatch.content.decode()
    assert weak.status_code == 200 and not User.objects.filter(username="new2").exists()
    assert "该用户名已被使用" in taken.content.decode()


def test_signup_page_labels_every_control(client):
    body = client.get(reverse("people:signup")).content.decode()
    for input_id in re.findall(r'<input[^>]+type="(?:text|email|password)"[^>]*id="([^"]+)"', body):
        assert 'for="' + input_id + '"' in body, input_id


# --- login / logout ---------------------------------------------------------------------------


def test_login_with_the_right_password(client):
    make_user()
    response = client.post(reverse("people:login"), {"username": "lihua", "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_login_with_a_wrong_password_says_so_in_chinese(client):
    make_user()
    response = client.post(reverse("people:login"), {"username": "lihua", "password": "nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert re.search(r"[\u4e00-\u9fff]", response.content.decode())


def test_logout_needs_a_post(client):
    user = make_user()
    client.force_login(user)
    confirm = client.get(reverse("people:logout"))
    assert confirm.status_code == 200 and "确认退出" in confirm.content.decode()
    assert client.get(reverse("people:account")).status_code == 200
    response = client.post(reverse("people:logout"))
    assert response.status_code == 302
    assert client.get(reverse("people:account")).status_code == 302


def test_account_page_needs_login(client):
    response = client.get(reverse("people:account"))
    assert response.status_code == 302 and reverse("people:login") in response["Location"]


# --- lockout ---------------------------------------------------------------------------------


def test_five_failures_lock_the_account_out_even_with_the_right_password(client):
    # given
    make_user()
    assert settings.AXES_FAILURE_LIMIT == 5
    # when
    statuses = [
        client.post(
            reverse("people:login"), {"username": "lihua", "password": "wrong" + str(n)}
        ).status_code
        for n in range(5)
    ]
    locked = client.post(reverse("people:login"), {"username": "lihua", "password": PASSWORD})
    # then
    assert statuses[:4] == [200, 200, 200, 200]
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "账户已暂时锁定" in body and "5" in body
    assert not locked.wsgi_request.user.is_authenticated


def test_four_failures_do_not_lock(client):
    make_user()
    for n in range(4):
        client.post(reverse("people:login"), {"username": "lihua", "password": "bad" + str(n)})
    response = client.post(reverse("people:login"), {"username": "lihua", "password": PASSWORD})
    assert response.status_code == 302


# --- password reset ----------------------------------------------------------------------------


def test_password_reset_by_email(client):
    # given
    make_user()
    # when
    response = client.post(reverse("people:password_reset"), {"email": "lihua@example.com"})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("people:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lihua@example.com"]
    assert "重置密码" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body)
    assert link is not None
    # and the link sets a new password
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200 and "设置新密码" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Brand-New-Pass-2026", "new_password2": "Brand-New-Pass-2026"},
    )
    assert done.status_code == 302
    assert User.objects.get(username="lihua").check_password("Brand-New-Pass-2026")


def test_password_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("people:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and len(mail.outbox) == 0


# --- idle expiry -------------------------------------------------------------------------------


def test_sessions_expire_after_30_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_logged_in_session_expires_after_the_idle_age(client):
    make_user()
    client.post(reverse("people:login"), {"username": "lihua", "password": PASSWORD})
    assert 0 < client.session.get_expiry_age() <= 30 * 60


# --- demo accounts -------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded_catalog")
def test_demo_accounts_command_is_idempotent_and_covers_every_role():
    # when
    first, second = StringIO(), StringIO()
    call_command("create_demo_accounts", stdout=first)
    call_command("create_demo_accounts", stdout=second)
    # then
    demo = User.objects.filter(username__startswith="demo_")
    assert demo.count() == 7
    assert {u.role for u in demo} == set(Role.values)
    for user in demo:
        assert user.check_password(DEMO_PASSWORD), user.username
        assert user.username in second.getvalue()
    specialist = demo.get(role=Role.DEPARTMENT_SPECIALIST)
    assert specialist.department is not None
    assert specialist.department.name == DEMO_DEPARTMENT_NAME
    admin = demo.get(username="demo_admin")
    assert admin.is_staff and admin.is_superuser
    assert not demo.get(username="demo_applicant").is_staff
    assert "新建" in first.getvalue() and "已存在" in second.getvalue()


def test_demo_accounts_without_a_catalog_skip_the_department_specialist():
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    assert User.objects.filter(username__startswith="demo_").count() == 6
    assert "load_catalog" in out.getvalue()


# --- workbench -----------------------------------------------------------------------------------


def test_workbench_needs_login(client):
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302 and reverse("people:login") in response["Location"]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.GUARDIAN, Role.EMPLOYER])
def test_workbench_refuses_the_public(client, role):
    client.force_login(make_user(role=role))
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "is_staff", "sees_admin"),
    [
        (Role.WINDOW_SPECIALIST, False, False),
        (Role.ADMINISTRATOR, True, True),
    ],
)
def test_workbench_for_staff_shows_counts(client, role, is_staff, sees_admin):
    client.force_login(make_user(role=role, is_staff=is_staff))
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "服务事项" in body and "办事部门" in body
    assert ('href="/admin/"' in body) is sees_admin


def test_admin_lists_users_with_role(client):
    admin = make_user(role=Role.ADMINISTRATOR, username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get("/admin/people/user/")
    assert response.status_code == 200
    assert "boss" in response.content.decode()
    add = client.get("/admin/people/user/add/")
    assert add.status_code == 200 and 'name="role"' in add.content.decode()
