"""The API's one way in: the portal's session cookie, with an honest 401.

DRF's ``SessionAuthentication`` gives no ``WWW-Authenticate`` challenge, so DRF turns
"not signed in" into 403 and a caller cannot tell it from "signed in but not allowed".
:class:`SessionAuthentication` names its challenge (``Session realm="api"``: sign in
through the portal, then send the ``sessionid`` cookie and, for writes, the CSRF token),
so the API answers:

- **401** ``not_authenticated`` when an operation needs a session and the request has
  none (or an expired one);
- **403** when the caller is signed in but not allowed: wrong role or scope, a missing
  or wrong CSRF token on a write, a back-office session that still owes its second
  factor (``otp_required``) or a fresh confirmation (``step_up_required``).

The OpenAPI schema calls the scheme ``cookieAuth`` (:class:`SessionScheme`).
"""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme as SpectacularSessionScheme
from rest_framework import authentication
from rest_framework.request import Request

CHALLENGE = 'Session realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate_header(self, request: Request) -> str:
        return CHALLENGE


class SessionScheme(SpectacularSessionScheme):  # type: ignore[no-untyped-call]
    target_class = "talentport.api.authentication.SessionAuthentication"
    priority = 0
