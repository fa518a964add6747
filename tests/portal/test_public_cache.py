"""Public pages and the catalog API under load: cached by the public content version,
never personal, conditional GETs, and a query budget per page (warm and cold)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from talentport.catalog import selectors as catalog_selectors
from talentport.catalog.models import ServiceItem
from talentport.policies.models import PolicyVersion, VersionOrigin
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_catalog")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def guide_path() -> str:
    item = ServiceItem.objects.filter(jurisdiction__code="qingdao").order_by("id").first()
    assert item is not None
    return f"/services/{item.uuid}/"


def public_paths() -> list[str]:
    return ["/", "/services/", "/services/?q=zfbt&city=qingdao", guide_path()]


def text(response: Any) -> str:
    return response.content.decode("utf-8")


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(UserFactory(username=username, first_name=username))
    return client


# --- nothing personal is shared --------------------------------------------------------


@pytest.mark.parametrize("order", ["user_a_first", "anonymous_first"])
def test_one_visitors_header_and_token_never_reach_another(order: str) -> None:
    # given a signed-in user A, another user B and an anonymous visitor
    alice = signed_in("alice_zhang_7f3")
    bob = signed_in("bob_li_2c9")
    anonymous = Client()
    for path in public_paths():
        cache.clear()
        first, *others = (
            [alice, bob, anonymous] if order == "user_a_first" else [anonymous, bob, alice]
        )
        # when each asks for the page, the first filling the cache
        responses = {id(c): c.get(path) for c in [first, *others]}
        a, b, anon = (text(responses[id(c)]) for c in (alice, bob, anonymous))
        # then each sees their own header and no one else's token or name
        assert all(r.status_code == 200 for r in responses.values())
        assert "退出登录" in a and "退出登录" in b and "退出登录" not in anon
        assert "/accounts/login/" in anon and "/accounts/login/" not in a
        tokens = {name: set(TOKEN.findall(body)) for name, body in [("a", a), ("b", b)]}
        tokens["anon"] = set(TOKEN.findall(anon))
        assert all(tokens.values())
        assert tokens["a"].isdisjoint(tokens["b"] | tokens["anon"])
        assert tokens["b"].isdisjoint(tokens["anon"])
        for body in (b, anon):
            assert "alice_zhang_7f3" not in body
        assert "bob_li_2c9" not in a and "bob_li_2c9" not in anon
        assert "tp-hole" not in a + b + anon


def test_page_is_served_from_the_cache_and_filled_per_visitor(
    django_assert_max_num_queries: Any,
) -> None:
    # given the page rendered once
    Client().get("/services/")
    # when another visitor asks for it
    with django_assert_max_num_queries(1):  # the content version only
        response = Client().get("/services/")
    # then it is whole: a CSRF token of its own, the account links, no hole left
    body = text(response)
    assert TOKEN.search(body)
    assert 'href="/accounts/signup/"' in body
    assert "tp-hole" not in body


def test_a_pending_message_is_shown_to_its_visitor_only(client: Client) -> None:
    # given a user with a message waiting (the password change page leaves one)
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    request = HttpRequest()
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "私人消息-仅本人可见")
    from django.http import HttpResponse

    response = HttpResponse()
    storage.update(response)
    alice = signed_in("alice_msg")
    alice.cookies["messages"] = response.cookies["messages"].value
    first = alice.get("/")
    # when someone else asks for the same page, and A comes again
    other = client.get("/")
    again = alice.get("/", HTTP_IF_NONE_MATCH=first.get("ETag", ""))
    # then only A's first page shows it, and that page was never a 304
    assert "私人消息-仅本人可见" in text(first)
    assert "私人消息-仅本人可见" not in text(other)
    assert "私人消息-仅本人可见" not in text(again)


# --- versions --------------------------------------------------------------------------


def test_a_catalog_write_shows_on_the_next_request() -> None:
    # given a guide page in the cache
    path = guide_path()
    client = Client()
    before = client.get(path)
    item = ServiceItem.objects.get(uuid=path.split("/")[2])
    # when the back office renames the item
    item.title = "新的事项名称用于缓存测试"
    item.save()
    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
    # then the page is new, with a new ETag
    assert after.status_code == 200
    assert "新的事项名称用于缓存测试" in text(after)
    assert after["ETag"] != before["ETag"]


def test_a_policy_version_changes_the_public_version() -> None:
    # given the API answer cached
    client = Client()
    before = client.get("/api/v1/search?q=zfbt")
    # when a policy version is recorded
    PolicyVersion.objects.create(
        policy_id="cache.test",
        version=1,
        title="缓存测试政策",
        jurisdiction="qingdao",
        text="id: cache.test",
        origin=VersionOrigin.choices[0][0],
    )
    after = client.get("/api/v1/search?q=zfbt", HTTP_IF_NONE_MATCH=before["ETag"])
    # then the old ETag no longer matches
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]


# --- conditional GET -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/services/", "guide"])
def test_page_sends_validators_and_answers_304(path: str) -> None:
    path = guide_path() if path == "guide" else path
    client = Client()
    client.get(path)  # the first visit sets the CSRF cookie, part of the page's ETag
    # when
    first = client.get(path)
    by_etag = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    # then
    assert first.status_code == 200
    assert first["ETag"].startswith('"') and first["Last-Modified"]
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == first["ETag"]
    assert by_date.status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_signed_in_page_has_its_own_etag_and_no_last_modified() -> None:
    # given the anonymous page's validators
    anonymous = Client()
    anonymous.get("/")
    anon = anonymous.get("/")
    alice = signed_in("alice_etag")
    # when A sends them (as a browser does after signing in)
    response = alice.get(
        "/", HTTP_IF_NONE_MATCH=anon["ETag"], HTTP_IF_MODIFIED_SINCE=anon["Last-Modified"]
    )
    # then A gets a full page of their own
    assert response.status_code == 200
    assert response["ETag"] != anon["ETag"]
    assert not response.has_header("Last-Modified")
    assert "退出登录" in text(response)
    assert alice.get("/", HTTP_IF_MODIFIED_SINCE=anon["Last-Modified"]).status_code == 200
    settled = alice.get("/")  # now with the CSRF cookie the first answer set
    assert alice.get("/", HTTP_IF_NONE_MATCH=settled["ETag"]).status_code == 304


@pytest.mark.parametrize(
    "path", ["/api/v1/search?q=zfbt", "/api/v1/services?city=qingdao", "/api/v1/life-events"]
)
def test_api_sends_validators_and_answers_304(client: Client, path: str) -> None:
    # when
    first = client.get(path)
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    # then
    assert first.status_code == 200 and first["Content-Type"].startswith("application/json")
    assert first["Cache-Control"] == "public, no-cache"
    assert again.status_code == 304 and by_date.status_code == 304
    assert client.get(path).json() == first.json()  # from the cache, the same answer


def test_api_detail_etag_and_errors_are_not_cached(client: Client) -> None:
    item = ServiceItem.objects.order_by("id").first()
    assert item is not None
    first = client.get(f"/api/v1/services/{item.uuid}")
    assert first.status_code == 200
    assert (
        client.get(f"/api/v1/services/{item.uuid}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 304
    )
    # a refused query is answered, never cached nor given an ETag
    bad = client.get("/api/v1/search?q=")
    assert bad.status_code == 400 and not bad.has_header("ETag")
    assert client.get("/api/v1/search?q=").status_code == 400


def test_bad_query_on_a_page_is_still_400() -> None:
    response = Client().get("/services/?stage=nowhere")
    assert response.status_code == 400
    assert not response.has_header("ETag")
    assert "tp-hole" not in text(response)


# --- query budgets ---------------------------------------------------------------------

BUDGETS = {
    # path: (cold, warm); cold = empty cache and no search index in the process
    "/": (3, 1),
    "/services/": (9, 1),
    "guide": (6, 1),
    "/api/v1/search?q=zfbt": (6, 1),
}


@pytest.mark.parametrize("path", list(BUDGETS))
def test_query_budget_cold_and_warm(path: str, django_assert_max_num_queries: Any) -> None:
    cold, warm = BUDGETS[path]
    path = guide_path() if path == "guide" else path
    client = Client()
    catalog_selectors.search_index_reset()
    cache.clear()
    with django_assert_max_num_queries(cold):
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(warm):
        assert client.get(path).status_code == 200
