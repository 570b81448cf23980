"""Exhibits: registering uploads, who may download, working copies, the API around them."""

import datetime as dt
import hashlib
import resource
import signal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import AccessEvent
from accounts.models import AccessLogEntry
from accounts.services import api_token_create
from evidence.choices import CustodyEventType, ExhibitKind, RequestState
from evidence.custody import event_fields, event_hash
from evidence.models import CustodyEvent, Exhibit
from evidence.services.exhibits import exhibit_working_copy_make
from tests.cctv.factories import CameraFactory
from tests.evidence.factories import ExhibitFactory
from tests.evidence.factories_exhibits import request_in_state, still_bytes, upload_url

FOOTAGE = b"\x00\x00\x00\x18ftypmp42 pretend this is ten minutes of camera VOG-004\n" * 1000
FOOTAGE_SHA256 = hashlib.sha256(FOOTAGE).hexdigest()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = None


@pytest.fixture
def case(council, officer):
    return request_in_state(owner=council, requester=officer, state=RequestState.FOOTAGE_FOUND)


def _upload(client, case, content=FOOTAGE, filename="export.mp4", **fields):
    return client.post(upload_url(case.pk), {"file": SimpleUploadedFile(filename, content, "video/mp4"), **fields})


def _stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_an_upload_is_stored_under_a_service_chosen_name_with_its_sha256(client, operator, case, settings):
    client.force_login(operator)
    response = _upload(client, case, filename="../../etc/Camera 4 \x07export.MP4", description="VOG-004 22:00-22:30")
    assert response.status_code == 201, response.content
    body = response.json()
    exhibit = Exhibit.objects.get(pk=body["id"])
    assert (body["reference"], body["sha256"], body["size_bytes"]) == ("OP/1", FOOTAGE_SHA256, len(FOOTAGE))
    assert exhibit.is_master_copy and exhibit.kind == ExhibitKind.FOOTAGE
    assert exhibit.original_filename == "Camera 4 export.MP4"  # path and control character gone
    assert exhibit.file.name.startswith(f"exhibits/{timezone.localdate():%Y/%m}/{case.pk}-")
    assert exhibit.file.name.endswith(".mp4") and "Camera" not in exhibit.file.name
    assert Path(exhibit.file.path).read_bytes() == FOOTAGE
    assert exhibit.disposal_on == timezone.localdate() + dt.timedelta(days=2557)
    assert [path.name for path in _stored_files(settings)] == [Path(exhibit.file.name).name]  # no temp file left


def test_an_upload_appends_the_hashed_custody_event_to_the_chain(client, operator, case):
    client.force_login(operator)
    exhibit = Exhibit.objects.get(pk=_upload(client, case).json()["id"])
    created, hashed = CustodyEvent.objects.filter(request=case).order_by("sequence")
    assert hashed.event_type == CustodyEventType.HASHED and hashed.exhibit == exhibit
    assert (hashed.exhibit_reference, hashed.exhibit_sha256) == ("OP/1", FOOTAGE_SHA256)
    assert hashed.detail["size_bytes"] == len(FOOTAGE) and hashed.actor == operator
    assert hashed.prev_hash == created.hash and hashed.hash == event_hash(created.hash, event_fields(hashed))


def test_references_count_per_person_and_request(client, operator, cctv_manager, case):
    cctv_manager.first_name, cctv_manager.last_name = "Siân", "Pritchard-Jones"
    cctv_manager.save()
    camera = CameraFactory(owner=case.owner)
    client.force_login(operator)
    first = _upload(client, case).json()["reference"]
    second = _upload(client, case, camera_id=str(camera.pk)).json()["reference"]
    client.force_login(cctv_manager)
    third = _upload(client, case, is_master_copy="false").json()["reference"]
    assert (first, second, third) == ("OP/1", "OP/2", "SJ/1")


def test_a_bearer_token_uploads_as_its_user(operator, case):
    token = api_token_create(user=operator, name="export station").plaintext
    response = Client().post(upload_url(case.pk), {"file": SimpleUploadedFile("a.mp4", FOOTAGE)},
                             HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201 and Exhibit.objects.get().created_by == operator


def test_without_credentials_the_upload_is_refused_before_the_body_is_read(case, settings):
    response = Client().post(upload_url(case.pk), {"file": SimpleUploadedFile("a.mp4", FOOTAGE)})
    assert response.status_code == 401 and "bearer token" in response.json()["detail"]
    assert _stored_files(settings) == []


def test_a_signed_in_browser_must_send_the_csrf_header(operator, case, settings):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)
    browser.cookies["csrftoken"] = "k" * 32  # a CSRF secret as the browser would hold it
    refused = browser.post(upload_url(case.pk), {"file": SimpleUploadedFile("a.mp4", FOOTAGE)})
    assert refused.status_code == 403 and "X-CSRFToken" in refused.json()["detail"]
    assert Exhibit.objects.count() == 0 and _stored_files(settings) == []
    accepted = browser.post(upload_url(case.pk), {"file": SimpleUploadedFile("a.mp4", FOOTAGE)},
                            HTTP_X_CSRFTOKEN="k" * 32)
    assert accepted.status_code == 201


@pytest.mark.parametrize("state", [RequestState.SUBMITTED, RequestState.ACCEPTED, RequestState.RELEASED,
                                   RequestState.CLOSED])
def test_exhibits_are_added_only_while_searching_found_or_exported(client, operator, council, officer, state,
                                                                    settings):
    case = request_in_state(owner=council, requester=officer, state=state)
    client.force_login(operator)
    response = _upload(client, case)
    assert response.status_code == 409
    assert "searching, footage found or exported" in response.json()["detail"]
    assert Exhibit.objects.count() == 0 and _stored_files(settings) == []


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("officer_other_force", 404), ("auditor", 403),
                                             ("engineer", 404)])
def test_only_the_councils_case_workers_upload(client, case, request, who, status, settings):
    client.force_login(request.getfixturevalue(who))
    assert _upload(client, case).status_code == status
    assert _stored_files(settings) == []


@pytest.mark.parametrize(("fields", "detail"), [
    ({"kind": "redacted_still"}, "Upload kind is one of footage, still"),
    ({"recorded_from": "yesterday"}, "recorded_from must be a date and time"),
    ({"recorded_from": "2026-03-01T22:30:00+00:00", "recorded_to": "2026-03-01T22:00:00+00:00"},
     "recorded_to is before recorded_from"),
    ({"camera_id": "999999"}, "no camera with id"),
])
def test_bad_details_are_refused_and_nothing_is_kept(client, operator, case, fields, detail, settings):
    client.force_login(operator)
    response = _upload(client, case, **fields)
    assert response.status_code == 400 and detail in response.json()["detail"]
    assert Exhibit.objects.count() == 0 and _stored_files(settings) == []


def test_a_camera_of_another_council_is_refused(client, operator, case, settings):
    elsewhere = CameraFactory()
    client.force_login(operator)
    response = _upload(client, case, camera_id=str(elsewhere.pk))
    assert response.status_code == 400 and elsewhere.asset_ref in response.json()["detail"]
    assert _stored_files(settings) == []


def test_a_second_unattributed_master_is_refused_with_the_first_named(client, operator, case, settings):
    client.force_login(operator)
    _upload(client, case)
    response = _upload(client, case)
    assert response.status_code == 409 and "OP/1 is already this request's master copy" in response.json()["detail"]
    assert Exhibit.objects.count() == 1 and len(_stored_files(settings)) == 1


def test_a_still_that_is_not_an_image_is_refused(client, operator, case, settings):
    client.force_login(operator)
    response = _upload(client, case, filename="still.jpg", kind="still")
    assert response.status_code == 400 and "JPEG or PNG" in response.json()["detail"]
    assert _stored_files(settings) == []


def test_a_still_is_stored_with_the_format_pillow_found_not_the_name_given(client, operator, case):
    client.force_login(operator)
    body = _upload(client, case, content=still_bytes(), filename="still.jpg", kind="still").json()
    exhibit = Exhibit.objects.get(pk=body["id"])
    assert exhibit.file.name.endswith(".png") and exhibit.content_type == "image/png"


def test_a_missing_file_field_is_a_400_that_says_what_to_send(client, operator, case):
    client.force_login(operator)
    response = client.post(upload_url(case.pk), {"attachment": SimpleUploadedFile("a.mp4", FOOTAGE)})
    assert response.status_code == 400 and "field 'file'" in response.json()["detail"]


def test_a_body_that_is_not_multipart_is_415(client, operator, case):
    client.force_login(operator)
    response = client.post(upload_url(case.pk), FOOTAGE, content_type="application/octet-stream")
    assert response.status_code == 415 and "multipart/form-data" in response.json()["detail"]


# --- Download -----------------------------------------------------------------------------------------


@pytest.fixture
def exhibit(case, operator):
    return ExhibitFactory(request=case, reference="OP/1", created_by=operator, content=FOOTAGE,
                          content_type="video/mp4")


def _download(client, exhibit):
    return client.get(f"/api/evidence/exhibits/{exhibit.pk}/download", REMOTE_ADDR="10.1.2.3")


def test_police_of_another_force_cannot_find_the_exhibit(client, officer_other_force, exhibit):
    exhibit.request.state = RequestState.RELEASED
    exhibit.request.save()
    client.force_login(officer_other_force)
    assert _download(client, exhibit).status_code == 404


def test_police_download_only_after_release(client, officer, exhibit):
    client.force_login(officer)
    before = _download(client, exhibit)
    assert before.status_code == 403 and "once the request has been released" in before.json()["detail"]
    exhibit.request.state = RequestState.RELEASED
    exhibit.request.save()
    after = _download(client, exhibit)
    assert after.status_code == 200 and b"".join(after.streaming_content) == FOOTAGE


def test_a_download_is_streamed_as_an_attachment_with_a_safe_name(client, operator, exhibit):
    client.force_login(operator)
    response = _download(client, exhibit)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="{exhibit.request.reference}_OP-1.mp4"'
    assert response["Content-Length"] == str(len(FOOTAGE)) and response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Exhibit-SHA256"] == FOOTAGE_SHA256
    assert b"".join(response.streaming_content) == FOOTAGE


def test_a_download_is_logged_in_the_access_log_and_the_custody_chain(client, operator, exhibit):
    client.force_login(operator)
    _download(client, exhibit)
    entry = AccessLogEntry.objects.get(event=AccessEvent.DOWNLOADED)
    assert (entry.user, entry.object_label, entry.ip_address) == (operator, "exhibit", "10.1.2.3")
    assert entry.object_ref == f"{exhibit.request.reference} OP/1"
    event = CustodyEvent.objects.get(request=exhibit.request, event_type=CustodyEventType.DOWNLOADED)
    assert (event.exhibit, event.exhibit_sha256, event.actor) == (exhibit, FOOTAGE_SHA256, operator)


def test_the_auditor_may_see_exhibits_but_not_download_them(client, auditor, exhibit):
    client.force_login(auditor)
    assert client.get(f"/api/evidence/exhibits/{exhibit.pk}").status_code == 200
    assert _download(client, exhibit).status_code == 403
    assert not AccessLogEntry.objects.filter(event=AccessEvent.DOWNLOADED).exists()


def test_a_destroyed_exhibit_is_gone(client, operator, exhibit):
    exhibit.disposed_at = timezone.now()
    exhibit.save()
    client.force_login(operator)
    response = _download(client, exhibit)
    assert response.status_code == 410 and "destroyed" in response.json()["detail"]


# --- Working copies and the list --------------------------------------------------------------------


def test_a_working_copy_hashes_equal_to_the_master_and_points_at_it(client, cctv_manager, exhibit):
    client.force_login(cctv_manager)
    response = client.post(f"/api/evidence/exhibits/{exhibit.pk}/working-copy")
    assert response.status_code == 201
    copy = Exhibit.objects.get(pk=response.json()["id"])
    assert (copy.reference, copy.sha256, copy.is_master_copy, copy.derived_from) == (
        "MA/1", FOOTAGE_SHA256, False, exhibit)
    assert Path(copy.file.path).read_bytes() == FOOTAGE and copy.file.name != exhibit.file.name
    assert copy.disposal_on == exhibit.disposal_on
    event = CustodyEvent.objects.get(request=exhibit.request, exhibit=copy)
    assert event.event_type == CustodyEventType.HASHED and event.detail["working_copy_of"] == "OP/1"


def test_no_working_copy_is_made_from_a_master_whose_bytes_changed(cctv_manager, exhibit, settings):
    Path(exhibit.file.path).write_bytes(FOOTAGE + b"tampered")
    with pytest.raises(Exception, match="no longer match its SHA-256"):
        exhibit_working_copy_make(exhibit, by=cctv_manager)
    assert Exhibit.objects.count() == 1 and len(_stored_files(settings)) == 1


def test_the_list_shows_a_requests_exhibits_in_a_fixed_number_of_queries(client, operator, exhibit):
    for number in range(2, 6):
        ExhibitFactory(request=exhibit.request, reference=f"OP/{number}", created_by=operator, is_master_copy=False,
                       derived_from=exhibit)
    client.force_login(operator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/evidence/exhibits/?request_id={exhibit.request.pk}")
    assert [item["reference"] for item in response.json()] == ["OP/1", "OP/2", "OP/3", "OP/4", "OP/5"]
    assert response.json()[1]["derived_from"] == "OP/1"
    assert len(queries) <= 8  # session, user, organisations shared, request, exhibits (+ savepoints)


def test_another_forces_officer_cannot_list_the_exhibits(client, officer_other_force, exhibit):
    client.force_login(officer_other_force)
    assert client.get(f"/api/evidence/exhibits/?request_id={exhibit.request.pk}").status_code == 404


def test_exhibit_register_removes_the_stored_file_when_the_transaction_fails(operator, case, settings):
    """The custody append fails after the file was moved into storage; the file must go too."""
    from evidence.services.exhibits import NewExhibit, exhibit_register
    from evidence.uploads import hashed_upload_from_chunks

    upload = hashed_upload_from_chunks([FOOTAGE], name="a.mp4", content_type="video/mp4")
    with connection.cursor() as cursor:  # make every insert into the chain fail
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
        cursor.execute("ALTER TABLE evidence_custodyevent ADD CONSTRAINT no_more_events CHECK (sequence < 2)")
    with pytest.raises(Exception, match="no_more_events"):
        exhibit_register(request=case, upload=upload, by=operator, new=NewExhibit())
    assert _stored_files(settings) == []


def test_a_storage_failure_mid_upload_is_a_500_that_leaves_nothing(client, operator, case, settings):
    """The disk refuses writes past 1 MiB (as when full): the half-written file goes, no exhibit is made."""
    client.force_login(operator)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, limits[1]))
    try:
        response = _upload(client, case, content=b"x" * (3 * 1024 * 1024))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert response.status_code == 500 and "could not be stored (File too large)" in response.json()["detail"]
    assert Exhibit.objects.count() == 0 and _stored_files(settings) == []
