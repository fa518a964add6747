"""`manage.py jobs_push_matches`: new positions to the best-matched people, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from talentport.jobs.models import Position
from talentport.notify.models import Message

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("jobs_push_matches", *args, stdout=out)
    return out.getvalue()


def test_running_twice_sends_nothing_new(
    applicant, employer, verified_org, register_entry, new_position
):
    # given: a matching person and two fresh positions (not pushed when posted)
    register_entry(applicant)
    new_position(verified_org, employer)
    new_position(verified_org, employer, title="海洋材料研究员")

    # when
    first = _run()
    second = _run()

    # then
    assert "2 new messages" in first and "0 new messages" in second
    assert Message.objects.filter(recipient=applicant).count() == 2
    assert all(m.title.startswith("为您推荐岗位") for m in Message.objects.all())


def test_only_positions_published_since(
    applicant, employer, verified_org, register_entry, new_position
):
    register_entry(applicant)
    old = new_position(verified_org, employer, title="旧岗位")
    Position.objects.filter(pk=old.pk).update(published_at=timezone.now() - dt.timedelta(days=30))
    new_position(verified_org, employer, title="新岗位")
    assert "1 new messages" in _run("--days", "7")
    assert Message.objects.get().title == "为您推荐岗位：新岗位"
    since = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    assert "1 new messages" in _run("--since", since)  # the old one now, the new one not again
    assert Message.objects.count() == 2


def test_bad_options_are_refused():
    for args in (
        ("--since", "yesterday"),
        ("--days", "0"),
        ("--min-score", "101"),
        ("--per-person", "0"),
    ):
        with pytest.raises(CommandError):
            _run(*args)


def test_help_documents_idempotence():
    from talentport.jobs.management.commands.jobs_push_matches import Command

    assert "可重复执行" in Command.help and "idempotent" in Command.help
