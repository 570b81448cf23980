"""The public side in miniature: a published council scheme, one unpublished, and cameras in every status.

Private values are planted in every field the public must never see (DPIA, masking notes, make and
model, dates, fault details, network node names), each a distinctive string a test can search every
public response for.
"""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from accounts.choices import OrganisationKind, Role
from cctv.choices import CameraKind, CameraStatus, Mounting
from cctv.models import Scheme
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.cctv.factories import CameraFactory, ContractFactory, FaultFactory, NodeFactory

# Every secret planted below; no public response may contain any of them.
PRIVATE = {
    "dpia_ref": "DPIA-SECRET-7731",
    "privacy_masking_notes": "MASK-SECRET bedroom windows of 12 Broad St",
    "make": "MAKE-SECRET-Hikvision",
    "model_name": "MODEL-SECRET-DS2CD",
    "ward": "WARD-SECRET-Baruc",
    "fault": "FAULT-SECRET vandalised by a known suspect",
    "node": "NODE-SECRET cabinet 41",
    "planned": "PLANNED-SECRET camera at the new bus station",
    "decommissioned": "DECOMMISSIONED-SECRET camera on Ty Mawr",
    "unpublished": "UNPUBLISHED-SECRET camera of Bridgend",
    "unpublished_statement": "UNPUBLISHED-SECRET statement",
}
INSTALLED_ON = dt.date(1987, 6, 5)  # a date that appears nowhere else
LICENCE = "Contains public sector information licensed under the Open Government Licence v3.0 (test council)."


@pytest.fixture
def scheme(council, cctv_manager):
    return Scheme.objects.create(
        owner=council, name="Vale public-space CCTV", published=True, sar_intake_enabled=True,
        statement="Cameras keep the town centres safe.", controller_contact="dpo@vale.example, Civic Offices, Barry",
        sar_instructions="Write to the Data Protection Officer with the date, time and place.",
        open_data_licence=LICENCE, updated_by=cctv_manager,
    )


@pytest.fixture
def contract(council, contractor):
    return ContractFactory(owner=council, contractor=contractor, monitored_hours="24 hours a day, 365 days a year")


def _camera(owner, asset_ref, name, **fields):
    defaults = {
        "dpia_ref": PRIVATE["dpia_ref"], "privacy_masking_notes": PRIVATE["privacy_masking_notes"],
        "make": PRIVATE["make"], "model_name": PRIVATE["model_name"], "ward": PRIVATE["ward"],
        "installed_on": INSTALLED_ON, "upgraded_on": INSTALLED_ON, "dpia_review_due_on": INSTALLED_ON,
        "town": "Barry", "purpose": f"Purpose of {name}",
    }
    return CameraFactory(owner=owner, asset_ref=asset_ref, name=name, **{**defaults, **fields})


@pytest.fixture
def estate(council, scheme, contract):
    """Published: four in service (one faulty with a fault, one offline), one planned, one decommissioned.

    Two publish their field of view: PUB-1 (fixed, bearing 90) and PUB-4 (PTZ, a full circle).
    Retention runs from 14 to 31 days, so the page says a range.
    """
    node = NodeFactory(owner=council, name=PRIVATE["node"])
    cameras = {
        "PUB-1": _camera(council, "PUB-1", "Holton Road east", kind=CameraKind.FIXED, mounting=Mounting.WALL,
                         bearing_deg=90.0, publish_field_of_view=True, retention_days=31, node=node,
                         location=Point(311000, 167000, srid=27700)),
        "PUB-2": _camera(council, "PUB-2", "King Square", kind=CameraKind.DOME, mounting=Mounting.BUILDING,
                         status=CameraStatus.FAULTY, retention_days=14, location=Point(311100, 167000, srid=27700)),
        "PUB-3": _camera(council, "PUB-3", "Thompson Street", kind=CameraKind.ANPR, mounting=Mounting.POLE,
                         status=CameraStatus.OFFLINE, retention_days=31, location=Point(311200, 167000, srid=27700)),
        "PUB-4": _camera(council, "PUB-4", "Barry Island promenade", kind=CameraKind.PTZ, mounting=Mounting.COLUMN,
                         status=CameraStatus.DEGRADED, publish_field_of_view=True, retention_days=31,
                         location=Point(311300, 167000, srid=27700)),
        "PLANNED-1": _camera(council, "PLANNED-1", PRIVATE["planned"], status=CameraStatus.PLANNED,
                             publish_field_of_view=True, location=Point(311400, 167000, srid=27700)),
        "GONE-1": _camera(council, "GONE-1", PRIVATE["decommissioned"], status=CameraStatus.DECOMMISSIONED,
                          publish_field_of_view=True, location=Point(311500, 167000, srid=27700)),
    }
    FaultFactory(owner=council, camera=cameras["PUB-2"], summary=PRIVATE["fault"], description=PRIVATE["fault"])
    return cameras


@pytest.fixture
def unpublished(db):
    """Another council whose scheme exists but is not published: none of it may show."""
    other = OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)
    Scheme.objects.create(owner=other, name="Bridgend CCTV", published=False, sar_intake_enabled=True,
                          statement=PRIVATE["unpublished_statement"], controller_contact="x", sar_instructions="y")
    camera = _camera(other, "BR-1", PRIVATE["unpublished"], publish_field_of_view=True,
                     location=Point(290000, 180000, srid=27700))
    return other, camera


@pytest.fixture
def other_manager(unpublished):
    return UserFactory(username="manager.bridgend", role=Role.CCTV_MANAGER, organisation=unpublished[0])


@pytest.fixture
def signing_key(settings, tmp_path):
    """A real Ed25519 key in a temporary key folder; returns (pem, fingerprint)."""
    from evidence.signing import signing_key_create, signing_key_fingerprint, signing_public_key_pem

    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "keys" / "evidence-signing-ed25519.pem"
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = False
    signing_key_create()
    return signing_public_key_pem().decode("ascii"), signing_key_fingerprint()


@pytest.fixture
def no_signing_key(settings, tmp_path):
    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "keys" / "missing.pem"
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = True  # even where creation is allowed, a public page must not
    return settings.EVIDENCE_SIGNING_KEY_FILE
