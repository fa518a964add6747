"""common.bulk: the bulk writes of the push, the outbox and the import store what the
ORM would store (defaults, encrypted fields, decimals, JSON), skip or update on
conflict, and return only the rows they wrote; ``any_of`` finds what ``in`` finds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from talentport.common.bulk import bulk_insert
from talentport.funds.models import Grant
from talentport.notify.models import Delivery, DeliveryChannel, DeliveryTarget, Message
from talentport.people.models import TalentProfile
from talentport.policies.models import PushState
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def test_rows_get_the_defaults_save_would_give_and_conflicts_are_skipped() -> None:
    user = staff_user("bulk-reader")
    columns = ["recipient_id", "kind", "title", "dedupe_key"]
    rows = [(user.pk, "policy_eligible", f"第{i}条", f"k{i}") for i in range(3)]
    before = timezone.now()
    new = bulk_insert(Message, columns, rows, conflict=["dedupe_key"], returning=["dedupe_key"])
    assert sorted(key for (key,) in new) == ["k0", "k1", "k2"]
    stored = list(Message.objects.order_by("dedupe_key"))
    assert [m.title for m in stored] == ["第0条", "第1条", "第2条"]
    assert len({m.uuid for m in stored}) == 3  # a new public id per row
    assert all(m.created_at >= before - dt.timedelta(seconds=1) for m in stored)
    assert all(m.body == "" and m.read_at is None and m.emailed is False for m in stored)
    # the same keys again with one new: only the new one is written and returned
    again = [*rows, (user.pk, "policy_eligible", "新的", "k9")]
    new = bulk_insert(Message, columns, again, conflict=["dedupe_key"], returning=["dedupe_key"])
    assert new == [("k9",)]
    assert Message.objects.count() == 4
    assert Message.objects.get(dedupe_key="k0").title == "第0条"  # not overwritten


def test_an_upsert_overwrites_only_the_named_columns() -> None:
    profile = TalentProfile.objects.create(source="t", source_key="1", data={})
    cols = ["profile_id", "eligible", "reminded", "digest"]
    bulk_insert(PushState, cols, [(profile.pk, "a", "r", 1)])
    bulk_insert(
        PushState,
        cols,
        [(profile.pk, "a,b", "ignored", 2)],
        conflict=["profile_id"],
        update=["eligible", "digest"],
    )
    state = PushState.objects.get(profile=profile)
    assert (state.eligible, state.reminded, state.digest) == ("a,b", "r", 2)


def test_encrypted_fields_decimals_and_json_are_stored_as_the_orm_stores_them() -> None:
    profile = TalentProfile.objects.create(source="t", source_key="2", data={})
    # an encrypted field is encrypted, not written as given
    bulk_insert(
        Delivery,
        ["channel", "target", "phone", "phone_masked"],
        [(DeliveryChannel.SMS, DeliveryTarget.PHONE, "13912345678", "139****5678")],
    )
    delivery = Delivery.objects.get()
    assert delivery.phone == "13912345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM notify_delivery")
        [(raw,)] = cursor.fetchall()
    assert "13912345678" not in str(raw)
    # a decimal keeps its cents; JSON is a document again
    bulk_insert(
        Grant,
        ["profile_id", "policy_id", "policy_version", "title", "amount"],
        [(profile.pk, "p", 1, "补贴", Decimal("1234.56"))],
    )
    assert Grant.objects.get().amount == Decimal("1234.56")
    bulk_insert(
        TalentProfile,
        ["source", "source_key", "data"],
        [("t", "3", {"person": {"birth_date": "1990-01-01"}, "n": 1.5})],
    )
    assert TalentProfile.objects.get(source_key="3").data == {
        "person": {"birth_date": "1990-01-01"},
        "n": 1.5,
    }


def test_a_column_the_model_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="no column"):
        bulk_insert(PushState, ["profile_id"], [(1,)], conflict=["nope"])


def test_any_of_finds_what_in_finds() -> None:
    user = staff_user("bulk-any")
    Message.objects.bulk_create(
        Message(recipient=user, kind="policy_eligible", title="t", dedupe_key=f"a{i}")
        for i in range(5)
    )
    wanted = [f"a{i}" for i in range(0, 10, 2)]
    found = set(
        Message.objects.filter(dedupe_key__any_of=wanted).values_list("dedupe_key", flat=True)
    )
    assert (
        found
        == set(Message.objects.filter(dedupe_key__in=wanted).values_list("dedupe_key", flat=True))
        == {"a0", "a2", "a4"}
    )
    pks = list(Message.objects.values_list("pk", flat=True))[:2]
    assert Message.objects.filter(pk__any_of=pks).count() == 2
