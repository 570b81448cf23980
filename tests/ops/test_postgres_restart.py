"""PostgreSQL restarted under the running service: web and worker carry on without being restarted.

The service runs as it does in production: gunicorn (two sync workers) and a `celery worker`
process, against a throwaway PostgreSQL cluster of this test's own (the shared one is never
restarted), holding a copy of the test database. Both keep connections open between requests
(CONN_MAX_AGE 60); a restart cuts them all. CONN_HEALTH_CHECKS makes Django test a reused
connection before the first query of each request or task and reconnect when it is dead, so no
request should see the restart at all.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings as django_settings

from accounts.services import api_token_create
from evidence.choices import BundleStatus
from evidence.models import ReleaseBundle
from tests.cctv.factories import CameraFactory
from tests.evidence.release_factories import exported_request
from tests.ops.conftest import VENV_BIN, database_url, free_port, service_env, stop_process, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SERVICE_DB = "vale"


def copy_test_database_into(cluster) -> None:
    """The test database, copied by pg_dump into the cluster: far quicker than migrating from scratch.

    Restored with search_path public, as bin/restore does and for the same reason (the camera history
    trigger's geometry comparison cannot be resolved with the empty search_path pg_dump's script sets).
    """
    cluster.psql("postgres", f"CREATE DATABASE {SERVICE_DB}")
    dump = subprocess.run(["pg_dump", "-Fc", "-d", database_url().replace("postgis://", "postgresql://")],
                          check=True, capture_output=True, timeout=120).stdout
    script = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--file=-"], input=dump,
                            check=True, capture_output=True, timeout=120).stdout
    script = script.replace(b"SELECT pg_catalog.set_config('search_path', '', false);",
                            b"SELECT pg_catalog.set_config('search_path', 'public', false);", 1)
    restore = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-h", "127.0.0.1",
                              "-p", str(cluster.port), "-U", "postgres", "-d", SERVICE_DB],
                             input=script, capture_output=True, timeout=120)
    assert restore.returncode == 0, restore.stderr.decode()


def get(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError) as error:
        return 0, str(error).encode()


def database_answers(base: str) -> bool:
    """/healthz says the database is ok. Its status also needs a worker's ping within HEALTH_WORKER_TIMEOUT_S,
    which a machine this busy may miss; that is not what is tested here."""
    status, body = get(f"{base}/healthz", {})
    return status in (200, 503) and json.loads(body).get("database") == "ok"


def client_backends(cluster) -> int:
    return int(cluster.psql(SERVICE_DB, f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{SERVICE_DB}' "
                                        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"))


@pytest.fixture
def service(throwaway_cluster, own_redis, workers, tmp_path, client, og_member, council, officer, operator):
    """gunicorn and a Celery worker on the cluster; yields what the test needs to talk to them."""
    CameraFactory(owner=council, asset_ref="VOG-001")
    arranged = exported_request(owner=council, requester=officer, operator=operator)
    ready = ReleaseBundle.objects.create(request=arranged.request, requested_by=operator, status=BundleStatus.READY)
    token = api_token_create(user=og_member, name="restart test").plaintext
    client.force_login(og_member)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    copy_test_database_into(throwaway_cluster)

    env = service_env(database=throwaway_cluster.url(SERVICE_DB), redis_url=own_redis.url, var_dir=tmp_path / "var",
                      media_root=tmp_path / "media", HEALTH_WORKER_TIMEOUT_S="0.5")
    worker = workers.start(env)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        web = subprocess.Popen([str(VENV_BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                "--workers", "2", "--timeout", "60", "--error-logfile", "-"],
                               cwd=django_settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: web.poll() is not None or database_answers(base), timeout=60,
                 what="gunicorn's /healthz to answer")
        assert web.poll() is None, log.read_text()[-3000:]
        # Not set as current: shared tasks would follow it and send to this Redis after the test.
        tasks = Celery("restart-test", broker=own_redis.url, backend=own_redis.url, set_as_current=False)
        yield {"base": base, "session": session, "token": token, "tasks": tasks, "bundle_id": ready.pk,
               "worker": worker, "web": web, "web_log": log}
        tasks.close()
    finally:
        stop_process(web)


def requests_made(service) -> dict[str, str]:
    """One round of reads, as pages, API and health check see them: 'ok', or what went wrong."""
    cookie = {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={service['session']}"}
    bearer = {"Authorization": f"Bearer {service['token']}"}
    base = service["base"]
    outcomes = {}
    for url, headers in (("/cameras/", cookie), ("/map/", cookie), ("/api/cameras", bearer),
                         ("/api/maps/layers/incidents", bearer)):
        status, body = get(f"{base}{url}", headers)
        outcomes[url] = "ok" if status == 200 else f"{status}: {body[:200]!r}"
    outcomes["/healthz database"] = "ok" if database_answers(base) else "not ok"
    return outcomes


def bundle_status_read_by_the_worker(service) -> str:
    """A task that reads the database in the worker: building a bundle that is already ready returns its status."""
    result = service["tasks"].send_task("evidence.tasks_bundles.bundle_build_task", args=[service["bundle_id"]])
    return result.get(timeout=30)


def web_workers(service) -> list[int]:
    pid = service["web"].pid
    return sorted(int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


def test_web_and_worker_serve_again_after_postgres_restarts_without_a_restart_of_their_own(service, throwaway_cluster):
    rounds_before = [requests_made(service) for _ in range(3)]
    assert all(outcome == "ok" for outcomes in rounds_before for outcome in outcomes.values()), rounds_before
    assert bundle_status_read_by_the_worker(service) == BundleStatus.READY
    assert client_backends(throwaway_cluster) >= 2  # kept open by gunicorn and the worker: the restart cuts them
    serving = web_workers(service)

    throwaway_cluster.restart()
    rounds_after = [requests_made(service) for _ in range(3)]

    failed = [(url, outcome) for outcomes in rounds_after for url, outcome in outcomes.items() if outcome != "ok"]
    assert failed == [], f"{failed}\n{service['web_log'].read_text()[-3000:]}"
    assert bundle_status_read_by_the_worker(service) == BundleStatus.READY
    assert web_workers(service) == serving  # the same gunicorn workers: none died and was replaced
    assert service["worker"].process.poll() is None
