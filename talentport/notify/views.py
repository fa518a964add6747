"""The person's inbox (站内消息)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from talentport.notify.models import Message
from talentport.notify.selectors import message_list_for, message_unread_count
from talentport.people.models import User


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    return render(
        request,
        "notify/inbox.html",
        {
            "messages_list": message_list_for(user=request.user)[:200],
            "unread": message_unread_count(user=request.user),
        },
    )


@require_POST
@login_required
def mark_read(request: HttpRequest, message_uuid: str) -> HttpResponse:
    assert isinstance(request.user, User)
    updated = Message.objects.filter(
        uuid=message_uuid, recipient=request.user, read_at__isnull=True
    ).update(read_at=timezone.now())
    if (
        not updated
        and not Message.objects.filter(uuid=message_uuid, recipient=request.user).exists()
    ):
        raise Http404
    return redirect("notify:inbox")
