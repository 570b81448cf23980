"""/healthz says whether the service can work, and why not."""

import json

from django.core.management import call_command
from django.core.management.base import CommandError


def test_healthz_is_200_when_database_redis_and_worker_answer(client, celery_worker):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["postgis"].startswith("3.")
    assert body["redis"] == "ok"
    assert body["worker"] == "ok" and body["workers"]


def test_healthz_is_503_and_names_redis_when_redis_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6390/0"  # nothing listens there
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["redis"] == "down"
    assert any("redis unreachable" in problem for problem in body["problems"])


def test_api_health_uses_the_same_report(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6390/0"
    response = client.get("/api/system/health")
    assert response.status_code == 503
    assert response.json()["redis"] == "down"


def test_healthcheck_command_fails_when_redis_is_down(db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6390/0"
    try:
        call_command("healthcheck", "--no-worker")
    except CommandError as exc:
        assert "redis unreachable" in str(exc)
    else:
        raise AssertionError("healthcheck passed with redis down")
