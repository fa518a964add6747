"""Sign-in lockouts (per username + IP and per IP across usernames), the client address
behind trusted proxies, and the sign-up and password-reset throttles."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from talentport.common.clientip import client_ip
from talentport.people.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "Haigui-Qingdao-2026"
SPRAYER = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def _fast_hashes(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str = Role.APPLICANT) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, role=role
    )


def login(client: Any, username: str, password: str, **meta: str) -> Any:
    return client.post(
        reverse("people:login"), {"username": username, "password": password}, **meta
    )


# --- password spraying --------------------------------------------------------------------


def test_spraying_20_accounts_with_4_passwords_from_one_ip_is_blocked(client, settings):
    # given 20 accounts and the per-IP limit of 20 failures
    assert settings.AXES_IP_FAILURE_LIMIT == 20 and settings.AXES_FAILURE_LIMIT == 5
    users = [make_user(f"user{n:02d}") for n in range(20)]
    # when one address tries 4 wrong passwords on each (never 5 on one account)
    statuses = [
        login(client, user.username, f"guess-{attempt}", REMOTE_ADDR=SPRAYER).status_code
        for attempt in range(4)
        for user in users
    ]
    # then it is stopped at the 20th failure and refused from then on
    assert statuses[:19] == [200] * 19
    assert set(statuses[19:]) == {429}
    # and a correct password from that address is refused while locked
    locked = login(client, "user00", PASSWORD, REMOTE_ADDR=SPRAYER)
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated
    body = locked.content.decode()
    assert "账户已暂时锁定" in body and "20" in body and "网络" in body
    assert locked["Retry-After"] == str(30 * 60)
    # while the same account signs in from another address
    other = type(client)()
    assert login(other, "user00", PASSWORD, REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_the_ip_limit_is_configurable(client, settings):
    settings.AXES_IP_FAILURE_LIMIT = 3
    for n in range(2):
        assert login(client, f"nobody{n}", "x", REMOTE_ADDR=SPRAYER).status_code == 200
    assert login(client, "nobody9", "x", REMOTE_ADDR=SPRAYER).status_code == 429


def test_one_ip_cannot_lock_an_account_out_for_everyone(client):
    # given someone who fails 5 times on lihua's account from their address
    make_user("lihua")
    for n in range(5):
        login(client, "lihua", f"bad-{n}", REMOTE_ADDR=SPRAYER)
    assert login(client, "lihua", PASSWORD, REMOTE_ADDR=SPRAYER).status_code == 429
    # then lihua still signs in from her own address
    mine = type(client)()
    assert login(mine, "lihua", PASSWORD, REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_the_lockout_page_is_in_english_too(client):
    make_user("lihua")
    client.cookies["django_language"] = "en"
    for n in range(5):
        login(client, "lihua", f"bad-{n}")
    body = login(client, "lihua", PASSWORD).content.decode()
    assert "Account temporarily locked" in body and "5" in body


# --- the client address behind proxies --------------------------------------------------------


def test_x_forwarded_for_is_ignored_without_trusted_proxies(client, settings):
    # given no proxy is trusted (the default)
    assert settings.TRUSTED_PROXY_COUNT == 0
    request = RequestFactory().get("/", REMOTE_ADDR=SPRAYER, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_ip(request) == SPRAYER
    # when an attacker sends a new X-Forwarded-For with every try
    make_user("lihua")
    for n in range(5):
        login(client, "lihua", f"bad-{n}", REMOTE_ADDR=SPRAYER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    # then the tries still count against their own address
    locked = login(
        client, "lihua", PASSWORD, REMOTE_ADDR=SPRAYER, HTTP_X_FORWARDED_FOR="192.0.2.77"
    )
    assert locked.status_code == 429


def test_x_forwarded_for_is_honoured_behind_one_trusted_proxy(client, settings):
    # given one reverse proxy in front, which appends the address it saw
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    assert client_ip(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=SPRAYER)) == SPRAYER
    # a value the client made up further left is not believed
    spoofed = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {SPRAYER}")
    assert client_ip(spoofed) == SPRAYER
    # garbage falls back to the proxy's address rather than failing
    assert client_ip(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="nonsense")) == PROXY
    # when someone behind the proxy locks lihua out from their address
    make_user("lihua")
    for n in range(5):
        login(client, "lihua", f"bad-{n}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=SPRAYER)
    assert (
        login(
            client, "lihua", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=SPRAYER
        ).status_code
        == 429
    )
    # then lihua, through the same proxy from her own address, still signs in
    mine = type(client)()
    ok = login(mine, "lihua", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert ok.status_code == 302


def test_two_trusted_proxies_take_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {SPRAYER}, 10.0.0.2"
    )
    assert client_ip(request) == SPRAYER


# --- sign-up and password reset ------------------------------------------------------------


def without_csrf(response: Any) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def signup(client: Any, n: int, email: str = "", **meta: str) -> Any:
    return client.post(
        reverse("people:signup"),
        {
            "role": "applicant",
            "username": f"new{n}",
            "display_name": "王芳",
            "email": email or f"new{n}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        **meta,
    )


def test_sign_up_is_throttled_per_ip(client, settings):
    assert settings.SIGNUP_RATE_PER_IP == "20/hour"
    statuses = [signup(type(client)(), n, REMOTE_ADDR=SPRAYER).status_code for n in range(21)]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    refused = signup(type(client)(), 99, REMOTE_ADDR=SPRAYER)
    assert refused.status_code == 429 and "操作过于频繁" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert not User.objects.filter(username="new99").exists()
    # another address is not affected
    assert signup(type(client)(), 100, REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_sign_up_is_throttled_per_email(client, settings):
    assert settings.SIGNUP_RATE_PER_EMAIL == "5/hour"
    statuses = [
        signup(
            type(client)(), n, email="target@example.com", REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n in range(6)
    ]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_password_reset_is_throttled_per_email_alike_whether_it_exists_or_not(client):
    # given one address with an account and one without
    make_user("lihua")
    known, unknown = "lihua@example.com", "nobody@example.com"

    def reset(email: str, ip: str) -> Any:
        return client.post(reverse("people:password_reset"), {"email": email}, REMOTE_ADDR=ip)

    # when each is asked for from changing addresses
    known_answers = [reset(known, f"192.0.2.{n}") for n in range(4)]
    unknown_answers = [reset(unknown, f"192.0.3.{n}") for n in range(4)]
    # then both get the same answers: "sent" three times, then 429
    for answers in (known_answers, unknown_answers):
        assert [a.status_code for a in answers] == [302, 302, 302, 429]
        assert answers[0]["Location"] == reverse("people:password_reset_done")
    assert without_csrf(known_answers[3]) == without_csrf(unknown_answers[3])
    assert len(mail.outbox) == 3


def test_password_reset_is_throttled_per_ip(client, settings):
    assert settings.PASSWORD_RESET_RATE_PER_IP == "10/hour"
    statuses = [
        client.post(
            reverse("people:password_reset"), {"email": f"p{n}@example.com"}, REMOTE_ADDR=SPRAYER
        ).status_code
        for n in range(11)
    ]
    assert statuses == [302] * 10 + [429]
