"""Content-Security-Policy on every response (django-csp), with a nonce in each one.

django-csp writes the nonce into the header only when something read
``request.csp_nonce`` while the response was built.  This subclass takes one for every
response, so the policy always names a per-request nonce and a template that adds an
inline ``<script nonce>`` later cannot come out with a header that refuses it.

A response that already carries a ``Content-Security-Policy`` header (file downloads set
``sandbox; default-src 'none'``) keeps it: django-csp never overwrites a header that a
view set.  ``csp.decorators.csp_exempt``/``csp_replace`` remain for a view that needs a
different policy.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        self._make_nonce(request)
        return super().get_policy_parts(request, response, report_only)
