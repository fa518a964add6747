"""Content-Security-Policy and the other security headers, on every page.

Every route of the URL configuration that answers GET without parameters, the admin's
object pages and the API docs answer with the strict policy (a fresh nonce, no
'unsafe-inline', no 'unsafe-eval'); no page's HTML carries an inline style, an inline
script without the nonce or an event-handler attribute; no template file of the project
does; a view that sets its own policy (a download's sandbox) keeps it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path

from talentport.catalog.models import ServiceItem
from talentport.people.models import User
from tests.production_env import production_env

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "talentport"

STRICT = {
    "default-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*")


def policy_of(response: Any) -> dict[str, set[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives: dict[str, set[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = set(words[1:])
    return directives


def nonce_of(policy: dict[str, set[str]]) -> str:
    nonces = {s for s in policy["script-src"] if s.startswith("'nonce-")}
    assert len(nonces) == 1, policy["script-src"]
    return nonces.pop()[len("'nonce-") : -1]


def policy_problems(response: Any) -> list[str]:
    """What is wrong with a response's policy, in words (empty when it is the strict one)."""
    try:
        policy = policy_of(response)
    except AssertionError as exc:
        return [str(exc)]
    problems = []
    for directive, sources in STRICT.items():
        if policy.get(directive) != sources:
            problems.append(f"{directive} is {sorted(policy.get(directive, []))}")
    for directive in ("script-src", "style-src"):
        sources = policy.get(directive, set())
        nonces = [s for s in sources if s.startswith("'nonce-")]
        if "'self'" not in sources or len(nonces) != 1 or len(sources) != 2:
            problems.append(f"{directive} is {sorted(sources)}, not 'self' plus one nonce")
    if policy.get("script-src") and policy.get("script-src") != policy.get("style-src"):
        problems.append("script-src and style-src carry different nonces")
    for directive, sources in policy.items():
        for word in UNSAFE:
            if word in sources:
                problems.append(f"{directive} allows {word}")
    return problems


class InlineFinder(HTMLParser):
    """Collects what a strict policy refuses in a page: style attributes, style elements
    and inline scripts without the page's nonce, event-handler attributes and
    javascript: URLs.  JSON data blocks (``<script type="application/json">``, what
    Django's ``json_script`` writes) are data, not script, and are allowed."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.found: list[str] = []
        self._inline_script: tuple[int, int] | None = None
        self._script_body = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        line = self.getpos()[0]
        if "style" in attributes:
            self.found.append(f"line {line}: <{tag} style=...>")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found.append(f"line {line}: <{tag} {name}=...>")
            url = (value or "").strip().lower()
            if name in {"href", "src", "action", "formaction"} and url.startswith("javascript:"):
                self.found.append(f"line {line}: <{tag} {name}=javascript:...>")
        has_nonce = self.nonce is not None and attributes.get("nonce") == self.nonce
        if tag == "style" and not has_nonce:
            self.found.append(f"line {line}: <style> without the nonce")
        if tag == "script" and "src" not in attributes and not has_nonce:
            kind = (attributes.get("type") or "").lower()
            if kind not in {"application/json", "application/ld+json"}:
                self._inline_script = self.getpos()
                self._script_body = ""

    def handle_data(self, data: str) -> None:
        if self._inline_script is not None:
            self._script_body += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inline_script is not None:
            if self._script_body.strip():
                self.found.append(
                    f"line {self._inline_script[0]}: inline <script> without the nonce"
                )
            self._inline_script = None


def inline_problems(response: Any) -> list[str]:
    if "text/html" not in response.headers.get("Content-Type", ""):
        return []
    try:
        nonce: str | None = nonce_of(policy_of(response))
    except AssertionError:
        nonce = None
    finder = InlineFinder(nonce)
    finder.feed(response.content.decode("utf-8", errors="replace"))
    finder.close()
    return finder.found


# --- the URL configuration, walked ---------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        route = str(entry.pattern)
        if route.startswith("^"):
            route = route[1:]
        route = route.removesuffix("$").removesuffix(r"\Z")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry.name or ""


def parameterless_routes() -> list[str]:
    """Every route of the URL configuration that needs no parameter (no converter, no
    regular-expression group)."""
    routes = []
    for route, _name in _walk(get_resolver().url_patterns):
        if re.search(r"[<>()\[\]*+?\\|]", route):
            continue
        routes.append("/" + route)
    return sorted(set(routes))


@pytest.fixture
def superuser(db: Any) -> User:
    return User.objects.create_superuser(
        username="csp_root", password="Csp-Root-2026!", email="root@example.cn"
    )


def _check_all(client: Client, urls: list[str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for url in urls:
        response = client.get(url)
        if response.get("Content-Disposition", "").startswith("attachment"):
            # a download carries its own sandbox policy instead of the page policy
            sandbox = response.get("Content-Security-Policy", "")
            found = [] if sandbox.startswith("sandbox") else [f"download policy {sandbox!r}"]
            if found:
                problems[url] = found
            continue
        found = policy_problems(response) + inline_problems(response)
        if response.status_code >= 500:
            found.append(f"status {response.status_code}")
        if found:
            problems[url] = found
    return problems


def test_the_walk_finds_the_pages_that_matter() -> None:
    # when
    routes = parameterless_routes()
    # then: the walk reaches the portal, the admin and the API docs
    for url in ("/", "/services/", "/admin/", "/admin/login/", "/api/v1/docs", "/api/v1/redoc"):
        assert url in routes
    assert "/admin/catalog/serviceitem/" in routes
    assert len(routes) > 50


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_catalog")
def test_every_parameterless_route_has_the_strict_policy_for_a_visitor(client: Client) -> None:
    # given: a visitor who is not signed in
    urls = parameterless_routes()
    # when: each route is opened
    problems = _check_all(client, urls)
    # then: every answer (pages, redirects to sign-in, API, errors) has the policy
    assert problems == {}


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_catalog")
def test_every_parameterless_route_has_the_strict_policy_for_a_superuser(
    client: Client, superuser: User
) -> None:
    # given: a superuser, who may open the workbench and every admin page
    client.force_login(superuser)
    urls = parameterless_routes()
    # when
    problems = _check_all(client, urls)
    # then
    assert problems == {}


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_catalog")
def test_admin_object_pages_and_a_service_guide_have_no_inline_style_or_script(
    client: Client, superuser: User
) -> None:
    # given: a service item and a superuser
    item = ServiceItem.objects.order_by("pk").first()
    assert item is not None
    client.force_login(superuser)
    urls = [
        f"/services/{item.uuid}/",
        "/admin/catalog/serviceitem/",
        "/admin/catalog/serviceitem/?q=%E4%BD%8F%E6%88%BF",
        f"/admin/catalog/serviceitem/{item.pk}/change/",
        f"/admin/catalog/serviceitem/{item.pk}/history/",
        f"/admin/catalog/serviceitem/{item.pk}/delete/",
        "/admin/catalog/serviceitem/add/",
        f"/admin/people/user/{client.session['_auth_user_id']}/password/",
    ]
    # when
    problems = _check_all(client, urls)
    # then
    assert problems == {}


def test_every_response_gets_its_own_nonce(client: Client) -> None:
    # when
    first = nonce_of(policy_of(client.get("/healthz")))
    second = nonce_of(policy_of(client.get("/healthz")))
    # then
    assert first != second
    assert len(first) >= 22


# --- the API docs --------------------------------------------------------------------


@pytest.mark.django_db
def test_swagger_ui_loads_its_start_up_script_from_a_separate_request(client: Client) -> None:
    # when
    page = client.get("/api/v1/docs")
    # then: the page has no inline script; the script it names answers JavaScript
    assert page.status_code == 200
    body = page.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", body, flags=re.S)
    assert scripts and all("src=" in attrs and not inner.strip() for attrs, inner in scripts)
    start_up = re.search(r'<script src="(/api/v1/docs\?[^"]*script[^"]*)"', body)
    assert start_up is not None
    script = client.get(start_up.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert "/api/v1/schema" in script.content.decode()
    assert policy_problems(page) == []


@pytest.mark.django_db
def test_redoc_gets_the_nonce_of_its_page_and_only_it_may_start_a_worker(client: Client) -> None:
    # when
    page = client.get("/api/v1/redoc")
    # then: the start-up script is a static file carrying this response's nonce
    assert page.status_code == 200
    policy = policy_of(page)
    nonce = nonce_of(policy)
    body = page.content.decode()
    assert f'src="/static/api/redoc-init.js" nonce="{nonce}"' in body
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in body
    assert "googleapis" not in body and "https://" not in body
    assert 'data-schema-url="/api/v1/schema"' in body
    assert inline_problems(page) == []
    # and Redoc's search worker (a blob: URL) is allowed on this page only
    assert policy["worker-src"] == {"'self'", "blob:"}
    assert "worker-src" not in policy_of(client.get("/api/v1/docs"))


# --- a view's own policy is kept -----------------------------------------------------


def sandboxed_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(b"%PDF-1.7 ...", content_type="application/pdf")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Content-Disposition"] = 'attachment; filename="file.pdf"'
    return response


def plain_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<p>plain</p>")


urlpatterns = [
    path("download", sandboxed_download),
    path("plain", plain_page),
]


@pytest.mark.urls(__name__)
def test_a_view_that_sets_its_own_policy_keeps_it(client: Client) -> None:
    # when
    download = client.get("/download")
    plain = client.get("/plain")
    # then: the download's sandbox is not replaced by the site's policy
    assert download["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert policy_problems(plain) == []


# --- the other security headers ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_catalog")
def test_the_other_security_headers_stay(client: Client) -> None:
    # when
    response = client.get("/")
    # then
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


@pytest.mark.django_db
def test_swagger_ui_keeps_the_same_origin_opener_policy(client: Client) -> None:
    # drf-spectacular's inline Swagger view answers COOP unsafe-none; the split view doesn't
    response = client.get("/api/v1/docs")
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.test import Client
response = Client().get("/healthz", secure=True, headers={"host": "talentport.example.cn"})
print(json.dumps({"status": response.status_code, "headers": dict(response.headers)}))
"""


def test_production_adds_hsts_to_the_same_headers(tmp_path: Path) -> None:
    # given: production settings
    env = production_env(
        tmp_path / "data",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CSP_REPORT_URI="/csp-reports",
    )
    # when: an HTTPS request
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]
    # then
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "report-uri /csp-reports" in headers["Content-Security-Policy"]


# --- the template files --------------------------------------------------------------

COMMENTS = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
NONCE_ATTR = 'nonce="{{ request.csp_nonce }}"'


def template_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.html") if "templates" in p.parts)


def template_problems(source: str) -> list[str]:
    text = COMMENTS.sub("", source)
    problems = []
    if re.search(r"""\sstyle\s*=\s*["'{]""", text, flags=re.I):
        problems.append("a style attribute")
    for match in re.finditer(r"<style\b([^>]*)>", text, flags=re.I):
        if NONCE_ATTR not in match.group(1):
            problems.append("a <style> element without the nonce")
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.I | re.S):
        attrs, body = match.groups()
        if body.strip() and NONCE_ATTR not in attrs and "application/json" not in attrs:
            problems.append("an inline <script> without the nonce")
    if re.search(r"""\son[a-z]+\s*=\s*["']""", text, flags=re.I):
        problems.append("an event-handler attribute")
    if re.search(r"""=\s*["']\s*javascript:""", text, flags=re.I):
        problems.append("a javascript: URL")
    return problems


def test_no_template_has_inline_style_or_script() -> None:
    # given: every template file of the project
    files = template_files()
    assert len(files) > 50
    # when
    problems = {
        str(f.relative_to(REPO)): found
        for f in files
        if (found := template_problems(f.read_text(encoding="utf-8")))
    }
    # then
    assert problems == {}


@pytest.mark.parametrize(
    "source",
    [
        '<span style="display:block">x</span>',
        "<style>body { margin: 0 }</style>",
        "<script>alert(1)</script>",
        '<script type="text/javascript">\n  go();\n</script>',
        '<button onclick="go()">x</button>',
        '<a href="javascript:go()">x</a>',
    ],
)
def test_the_template_check_sees_each_kind_of_inline_code(source: str) -> None:
    assert template_problems(source)


@pytest.mark.parametrize(
    "source",
    [
        "<script src=\"{% static 'portal/portal.js' %}\" defer></script>",
        '<script src="/x.js" nonce="{{ request.csp_nonce }}"></script>',
        '<style nonce="{{ request.csp_nonce }}">body { margin: 0 }</style>',
        '{% comment %}no <style> here, no style="x"{% endcomment %}<p class="muted">ok</p>',
        "{{ data|json_script:'data' }}",
    ],
)
def test_the_template_check_lets_static_and_nonced_code_through(source: str) -> None:
    assert template_problems(source) == []
