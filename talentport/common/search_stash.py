"""Staff searches that may hold an ID number or a phone: POST, then redirect.

A search form POSTs its criteria; the view keeps them in the session under a random
token (encrypted: the session table is no place for clear-text personal data either)
and redirects to ``?s=<token>``, so the results page, its pagination and its export
link carry only the token.  A token belongs to one session and one kind of search,
and only the last few are kept.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.http import HttpRequest

from talentport.common.crypto import DecryptionError, decrypt, encrypt

__all__ = ["search_recall", "search_stash"]

_SESSION_KEY = "talentport_search_stash"
_KEEP = 8


def search_stash(request: HttpRequest, *, scope: str, criteria: dict[str, Any]) -> str:
    """Keep ``criteria`` for this session; return the token to put in the URL."""
    token = secrets.token_urlsafe(12)
    stash: dict[str, dict[str, str]] = dict(request.session.get(_SESSION_KEY) or {})
    stash[token] = {"scope": scope, "data": encrypt(json.dumps(criteria, ensure_ascii=False))}
    for old in list(stash)[:-_KEEP]:
        del stash[old]
    request.session[_SESSION_KEY] = stash
    return token


def search_recall(request: HttpRequest, *, scope: str, token: str | None) -> dict[str, Any] | None:
    """The criteria kept under ``token`` for ``scope``, or None (unknown or expired)."""
    if not token:
        return None
    entry = (request.session.get(_SESSION_KEY) or {}).get(token)
    if not isinstance(entry, dict) or entry.get("scope") != scope:
        return None
    try:
        criteria = json.loads(decrypt(str(entry.get("data", ""))))
    except (DecryptionError, ValueError):
        return None
    return criteria if isinstance(criteria, dict) else None
