"""A session without its second factor reaches nothing that needs a session (issue 8).

Every page route and every API operation is enumerated from the URL resolver and the OpenAPI
schema, so a route added later is covered without anyone remembering to add it here.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]

# Reachable without a complete sign-in by design: signing in itself, health, the public page.
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/public/", "/healthz", "/static/")


def _page_paths(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("api/") and "exhibits/upload" not in route:
                continue  # API operations come from the schema below
            yield from _page_paths(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            path = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route).lstrip("^").rstrip("$")
            path = path.replace("\\Z", "").replace("\\", "")
            yield path


PAGE_PATHS = sorted({p for p in _page_paths() if not p.startswith(OPEN_PREFIXES) and "(?P" not in p})
API_OPERATIONS = sorted(
    (method.upper(), re.sub(r"\{\w+\}", "1", path))
    for path, operations in api.get_openapi_schema()["paths"].items()
    for method in operations
)


@pytest.fixture
def unverified_manager(client, cctv_manager):
    client.force_login(cctv_manager)  # a session with the password only
    return client


def test_the_enumeration_found_the_routes():
    assert len(PAGE_PATHS) > 40 and "/" in PAGE_PATHS and "/admin/" in PAGE_PATHS
    assert len(API_OPERATIONS) > 60


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_no_page_answers_before_the_second_factor(unverified_manager, path):
    response = unverified_manager.get(path)

    if path.startswith("/api/"):  # the streaming upload view is a plain Django view under /api/
        assert response.status_code == 401, path
        return
    assert response.status_code == 302, path
    assert response.url.startswith("/accounts/login/second-factor/"), response.url


@pytest.mark.parametrize(("method", "path"), API_OPERATIONS)
def test_no_api_operation_answers_before_the_second_factor(unverified_manager, method, path):
    response = unverified_manager.generic(method, path, data=b"{}", content_type="application/json")

    assert response.status_code == 401, (method, path, response.status_code)
    assert "Two-factor" in response.json()["detail"]
