"""一件事 forms hold ID numbers and phones: encrypted at rest, found by phone through
the blind index, and every read by someone else is in the PII access log."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from talentport.cases import selectors, services
from talentport.cases.models import Application, DegreeConfirmation
from talentport.common.models import PiiAccessLog
from talentport.people import services as people_services
from talentport.people.models import AccessKind
from tests.cases.conftest import FORM, file_after

pytestmark = pytest.mark.django_db


def authorise_window(person: Any, window: Any) -> None:
    people_services.access_grant_create(
        actor=person, person=person, kind=AccessKind.ASSISTANT, grantee_username=window.username
    )


def client_for(user: Any, **extra: Any) -> Client:
    client = Client(**extra)
    client.force_login(user)
    return client


def _raw(sql: str) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def test_the_form_is_encrypted_at_rest_and_found_by_phone(
    bundles: Any, person: Any, staff: Any
) -> None:
    # given a person filed with an ID number and a phone in the form, and authorised the
    # window specialist to help
    application = file_after(bundles["weihai-study-abroad"], person)
    window = staff["window"]
    authorise_window(person, window)
    # when the table is read as it is stored
    (stored,) = _raw("SELECT form_data FROM cases_application")
    # then neither number is there, the model still gives the form back
    assert FORM["id_number"] not in stored and FORM["phone"] not in stored
    assert Application.objects.get(pk=application.pk).form_data["id_number"] == FORM["id_number"]
    # and a window specialist still finds the person by the phone (blind index)
    found = selectors.assisted_people(user=window, query=FORM["phone"])
    assert [u.username for u in found] == ["alice"]
    found = selectors.assisted_people(user=window, query="+86 138-0000-0000")
    assert [u.username for u in found] == ["alice"]


def test_the_phone_index_follows_a_draft_edit(bundles: Any, person: Any, staff: Any) -> None:
    window = staff["window"]
    authorise_window(person, window)
    application, _ = services.application_create(
        bundle=bundles["weihai-study-abroad"],
        stage="after",
        applicant=person,
        actor=person,
        selected_items=["degree-verification"],
        form_data={"phone": "13800000000"},
    )
    services.application_update(
        application=application, actor=person, form_data={"phone": "13911112222"}
    )
    assert not selectors.assisted_people(user=window, query="13800000000")
    found = selectors.assisted_people(user=window, query="13911112222")
    assert [u.username for u in found] == ["alice"]


def test_key_lookups_into_the_encrypted_form_are_refused() -> None:
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Application.objects.filter(form_data__phone="13800000000"))


def test_degree_data_is_encrypted_and_its_journal_names_fields_only(person: Any) -> None:
    from talentport.common.models import AuditEvent

    services.degree_confirm(
        owner=person, actor=person, data={"school": "爱丁堡大学", "cscse_number": "JSJ2025123456"}
    )
    (stored,) = _raw("SELECT data FROM cases_degreeconfirmation")
    assert "JSJ2025123456" not in stored and "爱丁堡" not in stored
    assert DegreeConfirmation.objects.get().data["cscse_number"] == "JSJ2025123456"
    event = AuditEvent.objects.get(action="degree_confirm")
    assert "JSJ2025123456" not in str(event.data)


def test_department_page_read_is_logged_with_ip_and_path(
    bundles: Any, person: Any, staff: Any
) -> None:
    # given a submitted application with a sub-case for the police
    application = file_after(bundles["weihai-study-abroad"], person)
    sc = application.subcases.get(department__code="wh-police")
    client = client_for(staff["police"], REMOTE_ADDR="203.0.113.7")
    # when the specialist opens it (the page shows the form)
    url = reverse("cases:subcase", kwargs={"id": sc.uuid})
    page = client.get(url, {"tab": "form"}).content.decode()
    assert FORM["id_number"] in page
    # then the read is in the PII access log: who, whose, what, from where
    log = PiiAccessLog.objects.get(field="form_data")
    assert log.actor == staff["police"]
    assert (log.subject_type, log.subject_id) == ("cases.application", str(application.uuid))
    assert (log.ip, log.path) == ("203.0.113.7", url)


def test_api_reads_of_someone_elses_form_are_logged_in_one_go(
    bundles: Any, person: Any, other_person: Any, staff: Any
) -> None:
    # given two people's applications
    first = file_after(bundles["weihai-study-abroad"], person)
    second = file_after(bundles["weihai-study-abroad"], other_person)
    # when the person lists their own: no record (nobody else saw it)
    assert client_for(person).get("/api/v1/applications/").status_code == 200
    assert not PiiAccessLog.objects.exists()
    # when a window specialist both authorised lists them
    authorise_window(person, staff["window"])
    authorise_window(other_person, staff["window"])
    response = client_for(staff["window"]).get("/api/v1/applications/")
    # then one record per application read
    assert {a["id"] for a in response.json()} == {str(first.uuid), str(second.uuid)}
    logged = PiiAccessLog.objects.filter(actor=staff["window"], field="form_data")
    assert {log.subject_id for log in logged} == {str(first.uuid), str(second.uuid)}
    assert {log.path for log in logged} == {"/api/v1/applications/"}


def test_assist_search_logs_who_was_found(bundles: Any, person: Any, staff: Any) -> None:
    file_after(bundles["weihai-study-abroad"], person)
    authorise_window(person, staff["window"])
    page = client_for(staff["window"]).post(reverse("cases:assist"), {"q": FORM["phone"]})
    assert "李爱丽" in page.content.decode()
    log = PiiAccessLog.objects.get(actor=staff["window"])
    assert (log.subject_type, log.subject_id, log.field) == (
        "people.user",
        str(person.uuid),
        "contact",
    )
    assert log.path == reverse("cases:assist")
