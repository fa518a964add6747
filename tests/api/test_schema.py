"""OpenAPI schema and the documentation pages (assets served locally, no CDN)."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

EXTERNAL_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""(?:@import|url\()\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)

ENDPOINTS = {
    "/api/v1/services": "get",
    "/api/v1/services/{id}": "get",
    "/api/v1/search": "get",
    "/api/v1/departments": "get",
    "/api/v1/departments/{id}": "get",
    "/api/v1/jurisdictions": "get",
    "/api/v1/specialists": "get",
    "/api/v1/life-events": "get",
    "/api/v1/eligibility": "post",
}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/v1/schema")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_documents_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    for url, method in ENDPOINTS.items():
        assert method in schema["paths"][url], url


def test_schema_documents_query_parameters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/services"]["get"]["parameters"]}
    assert {"q", "city", "district", "stage", "category", "kind", "page", "page_size"} <= names
    search = schema["paths"]["/api/v1/search"]["get"]["parameters"]
    assert next(p for p in search if p["name"] == "q")["required"] is True


def test_schema_documents_errors(schema):
    responses = schema["paths"]["/api/v1/eligibility"]["post"]["responses"]
    assert {"200", "400"} <= set(responses)
    assert {"200", "404"} <= set(schema["paths"]["/api/v1/services/{id}"]["get"]["responses"])


def test_schema_is_served_as_json_too(client):
    response = client.get("/api/v1/schema", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/services" in json.loads(response.content)["paths"]


def test_catalog_and_eligibility_schema_is_valid_without_warnings():
    # given: only this app's endpoints (other apps' endpoints are checked by `make schema`)
    patterns = [path("api/v1/", include("talentport.api.urls"))]
    GENERATOR_STATS.reset()
    # when
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    # then
    warnings = dict(GENERATOR_STATS._warn_cache)
    errors = dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert not warnings, warnings
    assert not errors, errors
    validate_schema(schema)
    assert set(ENDPOINTS) <= set(schema["paths"])


@pytest.mark.parametrize("url", ["/api/v1/docs", "/api/v1/redoc"])
def test_docs_pages_load_without_external_assets(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert not EXTERNAL_ASSET.search(html), EXTERNAL_ASSET.search(html)
    assert not CSS_IMPORT.search(html)
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
