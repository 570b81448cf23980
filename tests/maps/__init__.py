"""Tests of the maps app (incidents, imports, coverage)."""

import types

from django.urls import Resolver404, path, resolve


def maps_api_urlconf(settings) -> None:
    """Serve maps.api's router at /api/maps/ for one test, until config/api.py mounts it.

    config/api.py is not a file of this change. The router goes on a NinjaAPI of the test's own with the
    site's authentication and error handlers, in front of the site's URLs; `settings` (pytest-django's
    fixture) puts ROOT_URLCONF back after the test.
    """
    if _resolves("/api/maps/incidents"):
        return
    from ninja import NinjaAPI

    from accounts.auth import API_AUTH
    from config import urls as site_urls
    from config.api import api as site_api
    from maps.api import router

    test_api = NinjaAPI(auth=API_AUTH, urls_namespace="maps-incidents-test-api", docs_url=None, openapi_url=None)
    test_api._exception_handlers.update(site_api._exception_handlers)
    test_api.add_router("/", router)
    urlconf = types.ModuleType("maps_incidents_test_urls")
    urlconf.urlpatterns = [path("api/maps/", test_api.urls), *site_urls.urlpatterns]
    settings.ROOT_URLCONF = urlconf


def _resolves(url: str) -> bool:
    try:
        resolve(url)
    except Resolver404:
        return False
    return True
