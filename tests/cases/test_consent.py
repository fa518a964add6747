"""Consent that works both ways: only the person (or a minor's guardian on record) grants
access to their applications, every grant is listed with a revoke button and in the API,
and revoking ends access at once — for guardians, employers and window specialists."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from talentport.cases import services
from talentport.cases.errors import CaseError
from talentport.people import services as people_services
from talentport.people.models import AccessGrant, AccessKind, Role
from tests.cases.conftest import file_after, make_user
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _detail(application: Any) -> str:
    return reverse("cases:application", kwargs={"id": application.uuid})


def test_nobody_but_the_applicant_can_hand_out_access(bundles: Any, person: Any) -> None:
    # given alice's application, filed with her employer's help and handled at the window
    employer = make_user("acme", Role.EMPLOYER)
    window = staff_user("window9", Role.WINDOW_SPECIALIST, jurisdiction="weihai")
    admin = staff_user("weihai-admin", Role.ADMINISTRATOR, jurisdiction="weihai")
    for helper, kind in ((employer, AccessKind.EMPLOYER), (window, AccessKind.ASSISTANT)):
        people_services.access_grant_create(
            actor=person, person=person, kind=kind, grantee_username=helper.username
        )
    application = file_after(bundles["weihai-study-abroad"], person)
    stranger = make_user("stranger", Role.GUARDIAN)
    # when each of them tries to give the stranger read access (page and API)
    for actor in (employer, window, admin):
        client = client_for(actor)
        client.post(_detail(application), {"op": "guardian", "username": "stranger"})
        client.post(
            f"/api/v1/applications/{application.uuid}/guardians/",
            {"username": "stranger"},
            content_type="application/json",
        )
        with pytest.raises(CaseError):
            services.guardian_authorise(
                actor=actor, application=application, guardian_username="stranger"
            )
    # then the stranger still sees nothing
    assert not AccessGrant.objects.filter(grantee=stranger).exists()
    assert client_for(stranger).get(_detail(application)).status_code == 404
    assert client_for(stranger).get(f"/api/v1/applications/{application.uuid}/").status_code == 404


def test_the_person_lists_grants_and_revocation_ends_the_guardians_access_at_once(
    bundles: Any, person: Any
) -> None:
    # given alice authorised her mother on the 我的授权 page
    mother = make_user("mother", Role.GUARDIAN, display_name="李妈妈")
    application = file_after(bundles["weihai-study-abroad"], person)
    me = client_for(person)
    access = reverse("people:access")
    answer = me.post(access, {"op": "grant", "kind": "guardian", "username": "mother"})
    assert answer.status_code == 302
    assert client_for(mother).get(_detail(application)).status_code == 200
    # when she opens the page, the grant is listed with a revoke button
    page = me.get(access).content.decode()
    grant = AccessGrant.objects.get(person=person, grantee=mother)
    assert "李妈妈" in page and str(grant.uuid) in page and "撤销授权" in page
    # and revokes it
    me.post(access, {"op": "revoke", "id": str(grant.uuid)})
    # then the mother gets 404 at once, page and API alike
    assert client_for(mother).get(_detail(application)).status_code == 404
    assert (
        client_for(mother).get(f"/api/v1/applications/{application.uuid}/timeline/").status_code
        == 404
    )
    assert "已撤销" in me.get(access).content.decode()


def test_an_unknown_grantee_is_named_next_to_the_field(person: Any) -> None:
    page = client_for(person).post(
        reverse("people:access"), {"op": "grant", "kind": "employer", "username": "nobody"}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert 'id="grant-username-error"' in body and "没有这个用人单位账户" in body


def test_the_api_lists_creates_and_revokes_and_a_stranger_cannot_revoke(
    bundles: Any, person: Any, other_person: Any
) -> None:
    make_user("acme", Role.EMPLOYER)
    me = client_for(person)
    created = me.post(
        "/api/v1/me/access-grants",
        {"kind": "employer", "grantee": "acme"},
        content_type="application/json",
    )
    assert created.status_code == 201
    grant_id = created.json()["id"]
    listed = me.get("/api/v1/me/access-grants").json()
    assert [g["id"] for g in listed["given"]] == [grant_id]
    # someone else cannot revoke it, and cannot tell it exists
    other = client_for(other_person).post(f"/api/v1/me/access-grants/{grant_id}/revoke")
    assert other.status_code == 404
    # the person can
    revoked = me.post(f"/api/v1/me/access-grants/{grant_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    # a bad kind is a 400 naming the field
    bad = me.post(
        "/api/v1/me/access-grants",
        {"kind": "boss", "grantee": "acme"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"


def test_a_grantee_may_give_a_grant_up(person: Any) -> None:
    acme = make_user("acme", Role.EMPLOYER)
    grant = people_services.access_grant_create(
        actor=person, person=person, kind=AccessKind.EMPLOYER, grantee_username="acme"
    )
    client_for(acme).post(reverse("people:access"), {"op": "renounce", "id": str(grant.uuid)})
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == acme


def test_a_minors_guardian_on_record_grants_and_revokes_for_the_minor(person: Any) -> None:
    # given alice is 16 and her file's guardian on record is her father
    from talentport.people.models import TalentProfile

    TalentProfile.objects.create(user=person, data={"person": {"birth_date": "2010-05-01"}})
    father = make_user("father", Role.GUARDIAN)
    people_services.access_grant_create(
        actor=person, person=person, kind=AccessKind.GUARDIAN, grantee_username="father"
    )
    make_user("acme", Role.EMPLOYER)
    neighbour = make_user("neighbour", Role.GUARDIAN)
    # when the father grants for her, through the API
    answer = client_for(father).post(
        "/api/v1/me/access-grants",
        {"kind": "employer", "grantee": "acme", "person": str(person.uuid)},
        content_type="application/json",
    )
    # then it works, and the father sees her grants on his page
    assert answer.status_code == 201, answer.content
    page = client_for(father).get(reverse("people:access")).content.decode()
    assert "未成年人" in page and "acme" in page
    # a guardian who is not on record cannot
    refused = client_for(neighbour).post(
        "/api/v1/me/access-grants",
        {"kind": "employer", "grantee": "acme", "person": str(person.uuid)},
        content_type="application/json",
    )
    assert refused.status_code == 404
    with pytest.raises(people_services.AccessGrantError):
        people_services.access_grant_create(
            actor=neighbour, person=person, kind=AccessKind.EMPLOYER, grantee_username="acme"
        )
