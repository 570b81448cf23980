"""Redis stops under a running service: reads keep serving, queued writes fail clearly and leave nothing.

Redis is only the task queue here (sessions and the cache are elsewhere), so a page or API read never
needs it. The two writes that hand work to a worker, a release bundle and a police crime import, carry
the work's arguments in the task message only (which exhibits; where the upload is stored), so no
sweep could send them later: when the broker refuses the message they are undone and answer 503,
and the person tries again. Each test runs against a redis-server of its own that it stops, with
pooled connections left from a send made while it answered, as a running service would have.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.tasks import echo_task
from evidence.models import ReleaseBundle
from maps.models import Incident, IncidentImport
from tests.cctv.factories import CameraFactory
from tests.evidence.release_factories import exported_request
from tests.ops.conftest import celery_app_broker, queued_messages

CRIME_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "street_crime" / "2024-01-hand-written.csv"
QUEUE_DOWN = "The task queue (Redis) is unavailable"


@pytest.fixture(autouse=True)
def file_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "keys" / "evidence-signing-ed25519.pem"
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = True
    settings.EVIDENCE_BUNDLE_WORK_DIR = tmp_path / "work"


@pytest.fixture
def redis_stopped(own_redis, settings):
    """The service's Redis, stopped after a task went through it (so the app holds stale connections)."""
    settings.REDIS_URL = own_redis.url
    with celery_app_broker(own_redis.url):
        echo_task.delay(1)
        assert queued_messages(own_redis) == 1
        own_redis.stop()
        yield own_redis


@pytest.fixture
def arranged(council, officer, operator):
    return exported_request(owner=council, requester=officer, operator=operator)


def stored_uploads(settings) -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / "incident-imports").glob("*"))


def crime_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("2024-01-street.csv", CRIME_FILE.read_bytes(), content_type="text/csv")


@pytest.mark.parametrize("url", ["/healthz", "/api/system/health"])
def test_health_is_503_and_names_redis_when_the_broker_stops(client, db, redis_stopped, url):
    response = client.get(url)

    body = response.json()
    assert response.status_code == 503
    assert body["database"] == "ok" and body["redis"] == "down"
    assert any(problem.startswith(f"redis unreachable at redis://127.0.0.1:{redis_stopped.port}/0")
               for problem in body["problems"]), body["problems"]
    assert "worker not checked: the broker (redis) is down" in body["problems"]


READS = [
    "/estate/", "/cameras/", "/map/", "/evidence/", "/faults/", "/network/",
    "/api/cameras", "/api/cameras/geojson", "/api/network/links/geojson", "/api/faults",
    "/api/evidence/requests", "/api/maps/layers/incidents", "/api/maps/incidents",
]


@pytest.mark.parametrize("url", READS)
def test_pages_and_api_reads_keep_serving_while_redis_is_down(client, cctv_manager, council, redis_stopped, url):
    CameraFactory(owner=council, asset_ref="VOG-001")
    client.force_login(cctv_manager)

    response = client.get(url)

    assert response.status_code == 200, response.content[:500]


@pytest.mark.django_db(transaction=True)
def test_a_bundle_request_is_503_and_writes_nothing_while_redis_is_down(client, arranged, operator, settings,
                                                                        redis_stopped):
    client.force_login(operator)

    response = client.post(f"/api/evidence/bundles/{arranged.request.pk}", {}, content_type="application/json")

    assert response.status_code == 503, response.content
    assert response.json()["detail"].startswith(QUEUE_DOWN)
    assert "bundle" in response.json()["detail"]
    assert ReleaseBundle.objects.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / "bundles").exists()


@pytest.mark.django_db(transaction=True)
def test_the_bundle_button_says_the_queue_is_down_and_writes_nothing(client, arranged, operator, redis_stopped):
    client.force_login(operator)

    response = client.post(f"/evidence/{arranged.request.pk}/bundle/", follow=True)

    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith(QUEUE_DOWN), shown
    assert ReleaseBundle.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_incident_import_is_503_and_stores_nothing_while_redis_is_down(client, cctv_manager, settings,
                                                                          redis_stopped):
    client.force_login(cctv_manager)

    response = client.post("/api/maps/incidents/import", {"file": crime_upload()})

    assert response.status_code == 503, response.content
    assert response.json()["detail"].startswith(QUEUE_DOWN)
    assert "import" in response.json()["detail"]
    assert IncidentImport.objects.count() == 0 and Incident.objects.count() == 0
    assert stored_uploads(settings) == []


@pytest.mark.django_db(transaction=True)
def test_the_import_page_says_the_queue_is_down_and_stores_nothing(client, cctv_manager, settings, redis_stopped):
    client.force_login(cctv_manager)

    response = client.post("/incidents/import/", {"file": crime_upload()})

    assert response.status_code == 503
    assert QUEUE_DOWN in response.content.decode()
    assert IncidentImport.objects.count() == 0 and stored_uploads(settings) == []


@pytest.mark.django_db(transaction=True)
def test_a_write_that_needs_no_queue_still_succeeds_while_redis_is_down(client, cctv_manager, redis_stopped):
    client.force_login(cctv_manager)

    response = client.post("/api/maps/incidents", {
        "category": "Anti-social behaviour", "occurred_at": "2024-01-10T21:00:00Z",
        "location": {"x": -3.27, "y": 51.40}, "description": "Recorded while the queue is down",
    }, content_type="application/json")

    assert response.status_code == 201, response.content
    assert Incident.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_bundle_request_goes_through_again_once_redis_is_back(client, arranged, operator, redis_stopped):
    client.force_login(operator)
    url = f"/api/evidence/bundles/{arranged.request.pk}"
    assert client.post(url, {}, content_type="application/json").status_code == 503

    redis_stopped.start()  # the same port: the service is not restarted or reconfigured
    response = client.post(url, {}, content_type="application/json")

    assert response.status_code == 202, response.content
    assert list(ReleaseBundle.objects.values_list("pk", flat=True)) == [response.json()["id"]]
    assert queued_messages(redis_stopped) == 1


def test_the_schema_documents_the_503_of_a_write_that_needs_the_queue():
    from config.api import api

    paths = api.get_openapi_schema()["paths"]
    bundle = paths["/api/evidence/bundles/{id}"]["post"]  # {id}: the evidence request whose bundle is built
    assert "503" in {str(status) for status in bundle["responses"]}
