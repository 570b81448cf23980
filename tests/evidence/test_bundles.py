"""Release bundles: built by the real worker, checked by the standalone verifier, never half-written.

The worker tests are transactional and wait for the worker's own task_postrun signal (it runs
in a thread of this process) rather than polling or sleeping.
"""

import hashlib
import io
import json
import os
import queue
import stat
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from evidence.bundles import bundle_build, bundle_storage_name, bundle_work_path
from evidence.choices import BundleStatus, CustodyEventType, RequestKind, RequestState
from evidence.custody import chain_head
from evidence.models import ReleaseBundle
from evidence.services.release import bundle_request
from evidence.signing import signing_key_fingerprint, signing_private_key, signing_public_key_pem
from evidence.tasks_bundles import bundle_build_task
from evidence.verify import verify_bundle
from tests.evidence.factories import ExhibitFactory
from tests.evidence.release_factories import FOOTAGE, STILL, exported_request, new_bundle

BUILD_TASK = "evidence.tasks_bundles.bundle_build_task"


@pytest.fixture(autouse=True)
def bundle_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "keys" / "evidence-signing-ed25519.pem"
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = True
    settings.EVIDENCE_BUNDLE_WORK_DIR = tmp_path / "work"


@pytest.fixture
def builds_finished():
    """(bundle id, task state) for each bundle build the worker finishes, in order."""
    finished: queue.Queue = queue.Queue()

    def on_postrun(sender=None, args=None, state=None, **kwargs):
        if getattr(sender, "name", None) == BUILD_TASK:
            finished.put((args[0], state))

    task_postrun.connect(on_postrun, weak=False)
    yield finished
    task_postrun.disconnect(on_postrun)


@pytest.fixture
def arranged(council, officer, operator):
    return exported_request(owner=council, requester=officer, operator=operator)


def stored_bundles(settings) -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / "bundles").rglob("*.zip"))


def work_files(settings) -> list[Path]:
    return sorted(Path(settings.EVIDENCE_BUNDLE_WORK_DIR).glob("*"))


def bundle_built_events(request):
    return list(request.custody_events.filter(event_type=CustodyEventType.BUNDLE_BUILT))


@pytest.mark.django_db(transaction=True)
def test_a_bundle_built_by_the_real_worker_passes_the_standalone_verifier(celery_worker, builds_finished, arranged,
                                                                          operator, settings, tmp_path):
    head_before = chain_head(arranged.request)

    bundle = bundle_request(request=arranged.request, by=operator)

    assert builds_finished.get(timeout=30) == (bundle.pk, "SUCCESS")
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.READY, bundle.error
    stored = Path(bundle.file.path)
    assert stored_bundles(settings) == [stored] and work_files(settings) == []
    assert bundle.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert bundle.size_bytes == stored.stat().st_size and bundle.chain_head == head_before
    [event] = bundle_built_events(arranged.request)
    assert event.sequence == 8 and event.actor_name == "system"
    assert event.detail["sha256"] == bundle.sha256 and event.detail["exhibits"] == ["OP/1", "OP/2"]

    key = tmp_path / "published.pem"
    key.write_bytes(signing_public_key_pem())
    result = subprocess.run([sys.executable, "-m", "evidence.verify", str(stored), "--public-key", str(key)],
                            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, cwd=django_settings.BASE_DIR,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "RESULT: PASS" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_worker_failing_after_half_the_files_leaves_no_bundle_and_a_retry_builds_it_once(
        celery_worker, builds_finished, arranged, operator, settings):
    still_path = Path(arranged.still.file.path)
    still_path.unlink()
    still_path.mkdir()  # reading OP/2, the second of two files, now raises IsADirectoryError mid-build

    bundle = bundle_request(request=arranged.request, by=operator)

    assert builds_finished.get(timeout=30) == (bundle.pk, "FAILURE")
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == "Unexpected error (IsADirectoryError); the worker's log has the details."
    assert bundle.file.name == "" and bundle.sha256 == ""
    assert stored_bundles(settings) == [] and work_files(settings) == []
    assert bundle_built_events(arranged.request) == []

    still_path.rmdir()
    still_path.write_bytes(STILL)
    assert bundle_build_task.delay(bundle.pk).get(timeout=30) == BundleStatus.READY
    assert bundle_build_task.delay(bundle.pk).get(timeout=30) == BundleStatus.READY  # a repeat changes nothing

    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.READY and bundle.error == ""
    assert stored_bundles(settings) == [Path(bundle.file.path)] and work_files(settings) == []
    assert len(bundle_built_events(arranged.request)) == 1
    assert verify_bundle(bundle.file.path, signing_public_key_pem()).ok


def test_a_missing_exhibit_file_fails_the_build_with_the_reason_and_stores_nothing(arranged, cctv_manager, settings):
    Path(arranged.still.file.path).unlink()

    bundle = bundle_build(new_bundle(arranged.request, cctv_manager))

    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == f"Exhibit OP/2's file {arranged.still.file.name} is missing from storage."
    assert stored_bundles(settings) == [] and work_files(settings) == []


def test_an_exhibit_altered_on_storage_is_not_released(arranged, cctv_manager, settings):
    altered = b"X" + FOOTAGE[1:]
    Path(arranged.footage.file.path).write_bytes(altered)

    bundle = bundle_build(new_bundle(arranged.request, cctv_manager))

    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == (
        f"Exhibit OP/1 on storage no longer matches its record (10255 bytes, SHA-256 "
        f"{hashlib.sha256(altered).hexdigest()}; recorded 10255 bytes, {hashlib.sha256(FOOTAGE).hexdigest()}): "
        "it was not released."
    )
    assert stored_bundles(settings) == []


def test_what_a_dead_attempt_left_behind_is_discarded_and_the_bundle_rebuilt(arranged, cctv_manager, settings):
    """A worker killed outright runs no handler: its work file and even a moved-but-unrecorded ZIP remain."""
    bundle = new_bundle(arranged.request, cctv_manager)
    bundle_work_path(bundle).write_bytes(b"PK\x03\x04 half a zip")
    leftover = Path(settings.MEDIA_ROOT) / bundle_storage_name(bundle)
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"PK\x03\x04 a whole zip nobody recorded")

    bundle = bundle_build(bundle)

    assert bundle.status == BundleStatus.READY
    assert stored_bundles(settings) == [leftover] and bundle.file.name == bundle_storage_name(bundle)
    assert work_files(settings) == []
    assert bundle.sha256 == hashlib.sha256(leftover.read_bytes()).hexdigest()
    assert verify_bundle(leftover, signing_public_key_pem()).ok


def test_a_ready_bundle_is_left_alone_when_built_again(arranged, cctv_manager, settings):
    bundle = bundle_build(new_bundle(arranged.request, cctv_manager))
    first = Path(bundle.file.path).read_bytes()

    again = bundle_build(bundle)

    assert again.status == BundleStatus.READY and again.sha256 == bundle.sha256
    assert Path(again.file.path).read_bytes() == first
    assert len(bundle_built_events(arranged.request)) == 1


def test_only_the_chosen_exhibits_go_in_and_disposed_ones_never_do(arranged, cctv_manager, operator):
    ExhibitFactory(request=arranged.request, reference="OP/3", created_by=operator,
                   disposed_at=arranged.request.received_at)
    everything = bundle_build(new_bundle(arranged.request, cctv_manager))
    chosen = bundle_build(new_bundle(arranged.request, cctv_manager), exhibit_ids=[arranged.still.pk])

    with zipfile.ZipFile(everything.file.path) as archive:
        assert [name for name in archive.namelist() if name.startswith("exhibits/")] == [
            "exhibits/OP_1.mp4", "exhibits/OP_2.jpg"]
    with zipfile.ZipFile(chosen.file.path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert [(entry["name"], entry["derived_from"], entry["copy"]) for entry in manifest["files"]] == [
        ("exhibits/OP_2.jpg", "OP/1", "working")]


def test_the_manifest_describes_each_file_and_is_signed_over_its_exact_bytes(arranged, cctv_manager):
    bundle = bundle_build(new_bundle(arranged.request, cctv_manager))
    with zipfile.ZipFile(bundle.file.path) as archive:
        manifest_bytes = archive.read("manifest.json")
        signature = archive.read("manifest.sig")
        continuity = archive.read("continuity.txt").decode()
    manifest = json.loads(manifest_bytes)

    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    load_pem_public_key(signing_public_key_pem()).verify(signature, manifest_bytes)  # raises if not
    assert manifest["request_reference"] == "ER-2026-00042" and manifest["owner"] == "Vale of Glamorgan Council"
    assert manifest["legal_basis"] == "dpa2018_sch2_para2" and manifest["chain_head"] == bundle.chain_head
    assert manifest["files"][0] == {
        "name": "exhibits/OP_1.mp4", "size": 10255, "sha256": hashlib.sha256(FOOTAGE).hexdigest(),
        "exhibit_reference": "OP/1", "kind": "footage", "copy": "master", "description": arranged.footage.description,
        "derived_from": None, "camera_asset_ref": "VOG-004",
        "recorded_from": "2026-03-13T21:00:00+00:00", "recorded_to": "2026-03-13T21:30:00+00:00",
    }
    # Times in Europe/London: GMT in March, BST in June.
    assert "  14 Mar 2026 10:05:00 GMT  #5 Footage exported: operator (Cardiff Council CCTV Control Room), at Barry " \
           "monitoring centre" in continuity
    assert "  01 Jun 2026 10:00:00 BST  #7 Exhibit stored and hashed: operator" in continuity
    assert "Requested by: officer, South Wales Police; received 14 Mar 2026 09:00:00 GMT" in continuity
    assert f"      exhibits/OP_1.mp4, 10,255 bytes, SHA-256 {hashlib.sha256(FOOTAGE).hexdigest()}" in continuity
    assert f"Custody chain head when this bundle was built: {bundle.chain_head} (7 events)" in continuity
    assert "Signed by: Vale of Glamorgan Council, Ed25519 key SHA256:" in continuity


def test_exhibits_are_streamed_in_constant_memory(arranged, cctv_manager, operator):
    big = bytes(range(256)) * (64 * 4096)  # 64 MiB
    ExhibitFactory(request=arranged.request, reference="OP/9", content=big, created_by=operator)
    tracemalloc.start()
    try:
        bundle = bundle_build(new_bundle(arranged.request, cctv_manager))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert bundle.status == BundleStatus.READY and bundle.size_bytes > 64 * 2**20
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MiB for a 64 MiB exhibit"


def test_files_past_the_zip64_limit_get_zip64_headers_and_still_verify(arranged, cctv_manager, monkeypatch):
    """A 4 GB exhibit is too big for a test, so lower zipfile's threshold to the size of ours."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 5000)
    bundle = bundle_build(new_bundle(arranged.request, cctv_manager))
    monkeypatch.undo()

    with zipfile.ZipFile(bundle.file.path) as archive:
        footage = archive.getinfo("exhibits/OP_1.mp4")
        assert footage.extra[:2] == b"\x01\x00"  # the ZIP64 extended information field
        assert archive.read("exhibits/OP_1.mp4") == FOOTAGE
    assert verify_bundle(bundle.file.path, signing_public_key_pem()).ok


# --- asking for a bundle -------------------------------------------------------------------

def test_operator_asks_for_a_bundle_and_gets_202_with_its_id(client, arranged, operator):
    client.force_login(operator)
    response = client.post(f"/api/evidence/bundles/{arranged.request.pk}", "",  # no body: every exhibit
                           content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    bundle = ReleaseBundle.objects.get()
    assert body["id"] == bundle.pk and body["status"] == "building" and body["download_url"] is None
    status = client.get(f"/api/evidence/bundles/{bundle.pk}").json()
    assert status["request_reference"] == "ER-2026-00042" and status["status"] == "building"


@pytest.mark.parametrize(("state", "expected"), [
    (RequestState.SUBMITTED, 409), (RequestState.FOOTAGE_FOUND, 409), (RequestState.READY_FOR_COLLECTION, 202),
    (RequestState.RELEASED, 202),
])
def test_a_bundle_needs_exported_footage(client, council, officer, operator, state, expected):
    arranged = exported_request(owner=council, requester=officer, operator=operator, state=state)
    client.force_login(operator)
    response = client.post(f"/api/evidence/bundles/{arranged.request.pk}", {}, content_type="application/json")
    assert response.status_code == expected
    if expected == 409:
        assert "a bundle can be built only once its footage is exported" in response.json()["detail"]
        assert ReleaseBundle.objects.count() == 0


@pytest.mark.parametrize(("who", "expected"), [("officer", 403), ("officer_other_force", 404), ("engineer", 404),
                                               ("auditor", 403)])
def test_only_the_request_handlers_ask_for_bundles(client, arranged, request, who, expected):
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/api/evidence/bundles/{arranged.request.pk}", {}, content_type="application/json")
    assert response.status_code == expected
    assert ReleaseBundle.objects.count() == 0


def test_a_subject_access_request_bundle_needs_its_exhibits_chosen(client, council, officer, operator):
    arranged = exported_request(owner=council, requester=officer, operator=operator, kind=RequestKind.SAR)
    client.force_login(operator)
    url = f"/api/evidence/bundles/{arranged.request.pk}"
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 400 and "Choose the exhibits for a subject access request" in refused.json()["detail"]
    chosen = client.post(url, {"exhibit_ids": [arranged.still.pk]}, content_type="application/json")
    assert chosen.status_code == 202


def test_an_exhibit_of_another_request_is_refused(client, council, officer, operator, arranged):
    other = exported_request(owner=council, requester=officer, operator=operator, reference="ER-2026-00043")
    client.force_login(operator)
    response = client.post(f"/api/evidence/bundles/{arranged.request.pk}", {"exhibit_ids": [other.footage.pk]},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"Exhibit id(s) {other.footage.pk} are not exhibits of request "
                                                "ER-2026-00042")
    assert ReleaseBundle.objects.count() == 0


# --- the signing key -----------------------------------------------------------------------

def test_signing_key_create_writes_a_key_only_its_owner_can_read_and_refuses_to_overwrite_it(settings):
    path = Path(settings.EVIDENCE_SIGNING_KEY_FILE)
    out = io.StringIO()
    call_command("signing_key_create", stdout=out)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"Fingerprint: {signing_key_fingerprint()}" in out.getvalue()
    assert signing_public_key_pem().decode() in out.getvalue()
    with pytest.raises(CommandError, match="already exists. Use --rotate"):
        call_command("signing_key_create", stdout=io.StringIO())


def test_if_missing_makes_the_key_once_and_then_leaves_it_alone(settings):
    call_command("signing_key_create", "--if-missing", stdout=io.StringIO())
    first = signing_key_fingerprint()
    out = io.StringIO()

    call_command("signing_key_create", "--if-missing", stdout=out)

    assert signing_key_fingerprint() == first
    assert f"fingerprint {first}" in out.getvalue()
    assert not list(Path(settings.EVIDENCE_SIGNING_KEY_FILE).parent.glob("*.retired-*.pem"))


def test_rotating_the_key_retires_the_old_one_beside_it(settings):
    call_command("signing_key_create", stdout=io.StringIO())
    old = signing_key_fingerprint()
    call_command("signing_key_create", "--rotate", stdout=io.StringIO())
    retired = list(Path(settings.EVIDENCE_SIGNING_KEY_FILE).parent.glob("*.retired-*.pem"))
    assert len(retired) == 1 and signing_key_fingerprint() != old


def test_without_auto_create_a_missing_key_is_a_configuration_error(settings):
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = False
    with pytest.raises(ImproperlyConfigured, match="run `manage.py signing_key_create` once"):
        signing_private_key()
    assert not Path(settings.EVIDENCE_SIGNING_KEY_FILE).exists()


def test_a_key_file_others_can_read_is_refused(settings):
    signing_private_key()
    Path(settings.EVIDENCE_SIGNING_KEY_FILE).chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match="readable by other users: chmod 600 it"):
        signing_private_key()
