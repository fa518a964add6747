"""Administrators assign staff scopes within their own, and every change is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from talentport.common.models import AuditEvent
from talentport.people import permissions
from talentport.people.models import Role, StaffScope, User
from talentport.people.permissions import Perm, Target
from tests.factories import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_catalog")]
URL = "/workbench/staff/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_city_administrator_gives_a_district_scope_and_it_is_audited() -> None:
    # given
    admin = staff_user("qd-admin")
    window = staff_user("w1", Role.WINDOW_SPECIALIST, jurisdiction=None)
    assert not permissions.can(window, Perm.ARCHIVE_MANAGE, Target("qingdao.shinan"))
    # when
    answer = client_for(admin).post(
        URL, {"op": "add", "user": str(window.uuid), "jurisdiction": "qingdao.shinan"}
    )
    # then (a fresh read of the account, as the next request would make)
    assert answer.status_code == 302
    window = User.objects.get(pk=window.pk)
    assert permissions.can(window, Perm.ARCHIVE_MANAGE, Target("qingdao.shinan"))
    assert not permissions.can(window, Perm.ARCHIVE_MANAGE, Target("qingdao.laoshan"))
    event = AuditEvent.objects.get(action="scope.granted")
    assert event.actor == admin and event.data["jurisdiction"] == "qingdao.shinan"
    # and removing it is audited too
    scope = StaffScope.objects.get(user=window)
    client_for(admin).post(
        URL, {"op": "remove", "user": str(window.uuid), "scope": str(scope.uuid)}
    )
    assert not StaffScope.objects.filter(user=window).exists()
    assert AuditEvent.objects.filter(action="scope.revoked", actor=admin).count() == 1


def test_nobody_hands_out_more_than_they_hold() -> None:
    # given a Shinan administrator and a new window specialist
    shinan = staff_user("shinan-admin", jurisdiction="qingdao.shinan")
    window = staff_user("w2", Role.WINDOW_SPECIALIST, jurisdiction=None)
    client = client_for(shinan)
    # when they try to give the whole city, or Weihai, or themselves more
    for wanted in ("qingdao", "weihai"):
        answer = client.post(URL, {"op": "add", "user": str(window.uuid), "jurisdiction": wanted})
        assert answer.status_code == 400
        assert "管辖范围" in answer.content.decode()
    assert not StaffScope.objects.filter(user=window).exists()
    # a Weihai specialist is not even listed for them
    weihai = staff_user("weihai-window", Role.WINDOW_SPECIALIST, jurisdiction="weihai")
    page = client.get(URL).content.decode()
    assert window.username in page and weihai.username not in page
    answer = client.post(URL, {"op": "add", "user": str(weihai.uuid), "jurisdiction": "weihai"})
    assert answer.status_code == 404


def test_an_administrator_cannot_widen_their_own_scope() -> None:
    admin = staff_user("qd-admin")
    answer = client_for(admin).post(
        URL, {"op": "add", "user": str(admin.uuid), "jurisdiction": "qingdao.shinan"}
    )
    assert answer.status_code in (400, 404)
    assert StaffScope.objects.filter(user=admin).count() == 1


def test_a_role_change_is_audited() -> None:
    admin = staff_user("qd-admin")
    window = staff_user("w3", Role.WINDOW_SPECIALIST)
    client_for(admin).post(URL, {"op": "role", "user": str(window.uuid), "role": "administrator"})
    window.refresh_from_db()
    assert window.role == Role.ADMINISTRATOR
    event = AuditEvent.objects.get(action="role.changed")
    assert (event.from_state, event.to_state, event.actor) == (
        "window_specialist",
        "administrator",
        admin,
    )


@pytest.mark.parametrize(
    "role", [Role.WINDOW_SPECIALIST, Role.DEPARTMENT_SPECIALIST, Role.AUDITOR, Role.APPLICANT]
)
def test_only_administrators_open_the_page(role: str) -> None:
    user = staff_user("someone", role)
    assert client_for(user).get(URL).status_code == 403
    assert Client().get(URL).status_code == 302
    assert reverse("staff:staff_scopes") == URL
