"""Releasing footage: one disclosure with the chain head, a receipt, downloads only where released, the log."""

import hashlib
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import AccessEvent, Role
from accounts.models import AccessLogEntry
from evidence.bundles import bundle_build
from evidence.choices import CustodyEventType, RequestKind, RequestState
from evidence.custody import chain_head
from evidence.models import CustodyEvent, Disclosure
from evidence.services.release import release_receipt_text, request_release
from evidence.signing import signing_key_fingerprint, signing_public_key_pem
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.evidence.release_factories import FOOTAGE, STILL, exported_request, new_bundle

FOOTAGE_SHA = hashlib.sha256(FOOTAGE).hexdigest()
STILL_SHA = hashlib.sha256(STILL).hexdigest()


@pytest.fixture(autouse=True)
def bundle_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "keys" / "evidence-signing-ed25519.pem"
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = True
    settings.EVIDENCE_BUNDLE_WORK_DIR = tmp_path / "work"


@pytest.fixture
def arranged(council, officer, operator):
    return exported_request(owner=council, requester=officer, operator=operator)


def release_url(request):
    return f"/api/evidence/bundles/{request.pk}/release"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_release_makes_exactly_one_disclosure_with_the_chain_head_after_the_release(arranged, cctv_manager, force):
    disclosure = request_release(request=arranged.request, by=cctv_manager, recipient_name="DC 4321 Evans")

    assert Disclosure.objects.count() == 1
    released = CustodyEvent.objects.get(request=arranged.request, event_type=CustodyEventType.RELEASED)
    assert released.sequence == 8
    assert disclosure.chain_head == released.hash == chain_head(arranged.request)
    assert disclosure.released_at == released.at
    assert disclosure.approved_by == disclosure.released_by == cctv_manager
    assert disclosure.recipient_organisation == force  # the requesting force, by default
    assert disclosure.legal_basis == arranged.request.legal_basis
    assert sorted(disclosure.exhibits.values_list("reference", flat=True)) == ["OP/1", "OP/2"]
    arranged.request.refresh_from_db()
    assert arranged.request.state == RequestState.RELEASED
    assert released.detail == {"from": "exported", "to": "released", "recipient": "DC 4321 Evans",
                               "recipient_organisation": "South Wales Police", "method": "download",
                               "exhibits": ["OP/1", "OP/2"]}


def test_the_receipt_lists_each_exhibit_with_its_hash_and_the_chain_head(arranged, cctv_manager):
    cctv_manager.first_name, cctv_manager.last_name = "Rhian", "Morgan"
    cctv_manager.save()
    disclosure = request_release(request=arranged.request, by=cctv_manager, recipient_name="DC 4321 Evans",
                                 method="collected on encrypted USB")

    receipt = release_receipt_text(disclosure).splitlines()

    assert receipt[:9] == [
        "RELEASE RECEIPT",
        f"Vale of Glamorgan Council: disclosure {disclosure.pk} of evidence request ER-2026-00042 "
        "(Police investigation)",
        "Crime or incident reference: 62/00042/26",
        "Legal basis: DPA 2018 Sch 2 para 2 (crime prevention and detection)",
        "Released to: DC 4321 Evans, South Wales Police",
        "Method: collected on encrypted USB",
        receipt[6],  # the time of release, now
        "Approved and released by: Rhian Morgan",
        "",
    ]
    assert receipt[6].startswith("Released: ")
    assert receipt[9:14] == [
        "Exhibits released:",
        "  OP/1: Footage export, master copy, 10,255 bytes",
        f"      SHA-256 {FOOTAGE_SHA}",
        "  OP/2: Still image, working copy, 34 bytes",
        f"      SHA-256 {STILL_SHA}",
    ]
    assert f"Custody chain head after the release: {disclosure.chain_head}" in receipt


def test_release_through_the_api_returns_the_receipt(client, arranged, cctv_manager):
    client.force_login(cctv_manager)
    response = post(client, release_url(arranged.request), {"recipient_name": "DC 4321 Evans"})
    assert response.status_code == 201, response.content
    body = response.json()
    disclosure = Disclosure.objects.get()
    assert body["id"] == disclosure.pk and body["chain_head"] == disclosure.chain_head
    assert body["approved_by"] == "manager" and body["recipient_organisation"] == "South Wales Police"
    assert [exhibit["reference"] for exhibit in body["exhibits"]] == ["OP/1", "OP/2"]
    assert body["receipt"] == release_receipt_text(disclosure)


@pytest.mark.parametrize("who", ["operator", "auditor", "officer"])
def test_only_the_cctv_manager_releases_and_nothing_is_written_otherwise(client, arranged, request, who):
    events_before = arranged.request.custody_events.count()
    client.force_login(request.getfixturevalue(who))
    response = post(client, release_url(arranged.request), {"recipient_name": "DC 4321 Evans"})
    assert response.status_code == 403
    assert "may not release" in response.json()["detail"]
    arranged.request.refresh_from_db()
    assert arranged.request.state == RequestState.EXPORTED
    assert Disclosure.objects.count() == 0 and arranged.request.custody_events.count() == events_before


def test_another_force_cannot_even_see_the_request_to_release(client, arranged, officer_other_force):
    client.force_login(officer_other_force)
    assert post(client, release_url(arranged.request), {"recipient_name": "x"}).status_code == 404


def test_a_request_not_yet_exported_cannot_be_released(client, council, officer, operator, cctv_manager):
    arranged = exported_request(owner=council, requester=officer, operator=operator, state=RequestState.SEARCHING)
    client.force_login(cctv_manager)
    response = post(client, release_url(arranged.request), {"recipient_name": "DC 4321 Evans"})
    assert response.status_code == 409
    assert "it cannot be moved by 'release'" in response.json()["detail"]
    assert Disclosure.objects.count() == 0


@pytest.mark.parametrize(("body", "fragment"), [
    ({"recipient_name": "  "}, "recipient_name: give the name of the person"),
    ({"recipient_name": "DC Evans", "method": ""}, "method: say how the footage is handed over"),
    ({"recipient_name": "DC Evans", "recipient_organisation_id": 999999}, "organisation 999999 does not exist"),
    ({"recipient_name": "DC Evans", "exhibit_ids": [999999]}, "Exhibit id(s) 999999 are not exhibits of request"),
    ({"recipient_name": "DC Evans", "exhibit_ids": []}, "has no exhibits to put in a bundle"),
    ({}, "recipient_name"),
])
def test_bad_release_input_is_refused_and_nothing_is_written(client, arranged, cctv_manager, body, fragment):
    client.force_login(cctv_manager)
    response = post(client, release_url(arranged.request), body)
    assert 400 <= response.status_code < 500
    assert fragment in response.json()["detail"]
    arranged.request.refresh_from_db()
    assert arranged.request.state == RequestState.EXPORTED and Disclosure.objects.count() == 0


def test_without_a_choice_the_release_is_of_the_latest_ready_bundle(arranged, cctv_manager):
    bundle_build(new_bundle(arranged.request, cctv_manager), exhibit_ids=[arranged.footage.pk])
    disclosure = request_release(request=arranged.request, by=cctv_manager, recipient_name="DC 4321 Evans")
    assert list(disclosure.exhibits.values_list("reference", flat=True)) == ["OP/1"]


def test_a_subject_access_request_release_needs_its_exhibits_chosen(client, council, officer, operator, cctv_manager):
    arranged = exported_request(owner=council, requester=officer, operator=operator, kind=RequestKind.SAR)
    client.force_login(cctv_manager)
    response = post(client, release_url(arranged.request), {"recipient_name": "Ms A Jones"})
    assert response.status_code == 400 and "Choose the exhibits" in response.json()["detail"]
    chosen = post(client, release_url(arranged.request), {"recipient_name": "Ms A Jones",
                                                          "exhibit_ids": [arranged.still.pk]})
    assert chosen.status_code == 201 and [e["reference"] for e in chosen.json()["exhibits"]] == ["OP/2"]


# --- downloading the bundle ----------------------------------------------------------------

@pytest.fixture
def ready_bundle(arranged, operator):
    return bundle_build(new_bundle(arranged.request, operator))


def download(client, user, bundle):
    client.force_login(user)
    return client.get(f"/api/evidence/bundles/{bundle.pk}/download")


def test_police_of_another_force_cannot_download_the_bundle(client, ready_bundle, cctv_manager, officer_other_force):
    request_release(request=ready_bundle.request, by=cctv_manager, recipient_name="DC 4321 Evans")
    assert download(client, officer_other_force, ready_bundle).status_code == 404


def test_police_download_their_bundle_only_after_its_release(client, ready_bundle, cctv_manager, officer):
    before = download(client, officer, ready_bundle)
    assert before.status_code == 403
    assert "has not been released to your organisation" in before.json()["detail"]

    request_release(request=ready_bundle.request, by=cctv_manager, recipient_name="DC 4321 Evans")
    after = download(client, officer, ready_bundle)

    assert after.status_code == 200
    body = b"".join(after.streaming_content)
    assert hashlib.sha256(body).hexdigest() == ready_bundle.sha256 == after["X-Bundle-SHA256"]
    assert after["Content-Length"] == str(ready_bundle.size_bytes) and after["Content-Type"] == "application/zip"
    assert after["Content-Disposition"] == f'attachment; filename="ER-2026-00042-bundle-{ready_bundle.pk}.zip"'
    logged = AccessLogEntry.objects.filter(user=officer, event=AccessEvent.DOWNLOADED).order_by("object_ref")
    assert [(entry.object_label, entry.object_ref) for entry in logged] == [
        ("exhibit", "ER-2026-00042 OP/1"), ("exhibit", "ER-2026-00042 OP/2")]
    downloaded = CustodyEvent.objects.get(request=ready_bundle.request, event_type=CustodyEventType.DOWNLOADED)
    assert downloaded.actor == officer and downloaded.detail["bundle_sha256"] == ready_bundle.sha256


def test_police_cannot_download_a_bundle_holding_an_exhibit_not_released_to_them(client, ready_bundle, arranged,
                                                                                 cctv_manager, officer):
    request_release(request=arranged.request, by=cctv_manager, recipient_name="DC 4321 Evans",
                    exhibits=[arranged.footage])
    assert download(client, officer, ready_bundle).status_code == 403


def test_handlers_may_download_to_check_a_bundle_before_release_but_auditors_may_not(client, ready_bundle, operator,
                                                                                     auditor):
    assert download(client, operator, ready_bundle).status_code == 200
    assert download(client, auditor, ready_bundle).status_code == 403


# --- the disclosure log and the public key -------------------------------------------------

def test_auditors_read_the_disclosure_log_of_their_council_only(client, council, officer, operator, cctv_manager,
                                                                 auditor):
    for n in range(3):
        arranged = exported_request(owner=council, requester=officer, operator=operator, reference=f"ER-2026-0010{n}")
        request_release(request=arranged.request, by=cctv_manager, recipient_name=f"DC {n}")
    elsewhere = OrganisationFactory(name="Bridgend County Borough Council")
    stranger = UserFactory(username="auditor.bridgend", role=Role.AUDITOR, organisation=elsewhere)

    client.force_login(auditor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/evidence/bundles/disclosures")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and [item["recipient_name"] for item in body["items"]] == ["DC 2", "DC 1", "DC 0"]
    # Session and user (2), the councils sharing with the auditor's (1), count and page (2), every page's exhibits
    # in one prefetch (1), the session's refresh (3): the same for 3 disclosures or 300.
    assert len(queries) <= 9, "\n".join(query["sql"][:150] for query in queries.captured_queries)

    client.force_login(stranger)
    assert client.get("/api/evidence/bundles/disclosures").json()["count"] == 0


@pytest.mark.parametrize("who", ["operator", "officer", "engineer"])
def test_the_disclosure_log_is_not_for_handlers_or_police(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/api/evidence/bundles/disclosures").status_code == 403


def test_the_public_key_endpoint_gives_the_key_that_signs_bundles(client, ready_bundle, officer):
    client.force_login(officer)
    body = client.get("/api/evidence/bundles/public-key").json()
    with zipfile.ZipFile(ready_bundle.file.path) as archive:
        assert body["public_key_pem"].encode() == archive.read("public-key.pem") == signing_public_key_pem()
    assert body["fingerprint"] == signing_key_fingerprint() and body["signer"] == "Vale of Glamorgan Council"


def test_the_public_key_endpoint_needs_a_sign_in_for_now(client):
    assert client.get("/api/evidence/bundles/public-key").status_code == 401
