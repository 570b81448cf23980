"""The permission matrix's world: two councils with one of every kind of object, and a signed-in client per actor.

Side 1 is the partnership of tests/conftest.py (a council sharing its estate with its monitoring contractor
and its police force); side 2 is a second council with its own estate, its own contractor and a second
force. Every object a route can take an id of is made on both sides, in the states the routes need (an
open, an acknowledged and a fixed fault; a submitted, an exported and a released evidence request; a draft,
a submitted and an approved proposal...), through the services wherever a service makes it, so "another
organisation's object is not found" can be asked of every route that takes an id.

The world is built once per module inside one transaction that the end of the module rolls back; each test
still runs in its own savepoint (pytest-django's `db`) and each request in another (`matrix_isolated`), so no
request sees what an earlier one changed. Files go to a temporary MEDIA_ROOT. Fixtures are prefixed `matrix_`
so they cannot clash with the fuzzing suite's in tests/security/fixtures_fuzz.py.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from tests.security.worlds import rolled_back, world_rolled_back

# The actors of the matrix: the seven roles of DESIGN.md section 1 on side 1, nobody, and two people of the
# second side, a council's CCTV manager and a second force's officer.
ANONYMOUS = "anonymous"
MANAGER_2 = "cctv_manager_2"
POLICE_2 = "police_requester_2"
SIDE_1_ROLES = (Role.CCTV_MANAGER, Role.OPERATOR, Role.OG_MEMBER, Role.POLICE_REQUESTER, Role.ENGINEER,
                Role.AUDITOR, Role.ADMIN)
ACTORS = (*SIDE_1_ROLES, ANONYMOUS, MANAGER_2, POLICE_2)
# Whose objects each actor works with on its own side ("own"); the admin belongs to no organisation and sees
# every one, so it is put with side 1.
ACTOR_SIDE = {**{role: 1 for role in SIDE_1_ROLES}, ANONYMOUS: 1, MANAGER_2: 2, POLICE_2: 2}
# For the second side's people the matrix expects what the same role gets on side 1.
ACTOR_ROLE = {**{role: role for role in SIDE_1_ROLES}, ANONYMOUS: ANONYMOUS, MANAGER_2: Role.CCTV_MANAGER,
              POLICE_2: Role.POLICE_REQUESTER}

BARRY = (311000.0, 167000.0)
PENARTH = (318000.0, 171500.0)


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height))
    image.putdata([((x * 37 + y * 11) % 256, (x * 5 + y * 53) % 256, 90) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


@dataclass
class MatrixSide:
    """One council's partnership and one object of every kind (ids by name in `ids`)."""

    number: int
    council: object
    contractor: object
    force: object
    manager: object
    officer: object
    engineer: object
    ids: dict[str, int] = field(default_factory=dict)
    asset_ref: str = ""
    centre: tuple[float, float] = BARRY

    def lon_lat(self, east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
        point = Point(self.centre[0] + east_m, self.centre[1] + north_m, srid=27700).transform(4326, clone=True)
        return round(point.x, 6), round(point.y, 6)


@dataclass
class MatrixWorld:
    sides: dict[int, MatrixSide]
    users: dict[str, object]  # actor -> user (no entry for the anonymous visitor)
    clients: dict[str, Client]
    cookies: dict[str, object]
    tokens: dict[str, int]  # actor -> the pk of the actor's own API token
    month: str  # last month: the stored monthly reports' month
    this_month: str
    import_id: int
    totp_device_id: int
    results: list = field(default_factory=list)
    started_at: float = field(default_factory=time.perf_counter)

    def side_of(self, actor: str, *, cross: bool = False) -> MatrixSide:
        number = ACTOR_SIDE[actor]
        return self.sides[3 - number if cross else number]

    def client_for(self, actor: str) -> Client:
        """The actor's client with its sign-in cookie as first set (a sign-out request must not leak on)."""
        client = self.clients[actor]
        client.cookies = self.cookies[actor].__class__(self.cookies[actor])
        return client


def _organisations(number: int):
    from tests.accounts.factories import OrganisationFactory

    # Names found nowhere in the templates (the footer names the Vale), so that one showing up in a page of
    # the other side is a leak, not branding.
    if number == 1:
        council = OrganisationFactory(name="Barry Matrix Council", kind=OrganisationKind.COUNCIL)
        contractor = OrganisationFactory(name="Barry Matrix Control Room", kind=OrganisationKind.CONTRACTOR)
        force = OrganisationFactory(name="Barry Matrix Police", kind=OrganisationKind.POLICE)
    else:
        council = OrganisationFactory(name="Penarth Matrix Council", kind=OrganisationKind.COUNCIL)
        contractor = OrganisationFactory(name="Penarth Matrix Monitoring", kind=OrganisationKind.CONTRACTOR)
        force = OrganisationFactory(name="Penarth Matrix Police", kind=OrganisationKind.POLICE)
    council.shares_with.add(contractor, force)
    return council, contractor, force


def _user(username: str, role: str, organisation, **extra):
    from accounts.models import User

    user = User(username=username, role=role, organisation=organisation, **extra)
    user.set_unusable_password()  # the matrix signs in with force_login; nobody types a password here
    user.save()
    return user


def _estate(side: MatrixSide, today: dt.datetime) -> None:
    from cctv.choices import CameraKind, FaultPriority, LinkKind, NodeKind, SlaClock
    from cctv.models import Contract, SlaTerm
    from cctv.services.cameras import camera_create
    from cctv.services.faults import fault_acknowledge, fault_assign, fault_fix, fault_open
    from cctv.services.network import link_create, node_create
    from cctv.services.snapshots import snapshot_add

    manager, east, north = side.manager, *side.centre
    centre = node_create(owner=side.council, by=manager, name=f"Monitoring centre {side.number}",
                         kind=NodeKind.MONITORING_CENTRE, location=Point(east - 400, north, srid=27700))
    cabinet = node_create(owner=side.council, by=manager, name=f"Cabinet {side.number}", kind=NodeKind.CABINET,
                          location=Point(east - 50, north, srid=27700))
    link = link_create(a_node=cabinet, b_node=centre, by=manager, kind=LinkKind.FIBRE,
                       route=LineString(cabinet.location, centre.location, srid=27700))
    side.asset_ref = f"MX{side.number}-001"
    camera = camera_create(owner=side.council, by=manager, asset_ref=side.asset_ref,
                           name=f"Matrix camera {side.number}",
                           location=Point(east, north, srid=27700), kind=CameraKind.FIXED, bearing_deg=0.0,
                           view_angle_deg=60.0, view_range_m=50.0, status="operational", node=cabinet,
                           retention_days=31, purpose="Town centre night-time economy")
    spare = camera_create(owner=side.council, by=manager, asset_ref=f"MX{side.number}-099",
                          name=f"Unreferenced camera {side.number}", location=Point(east + 300, north, srid=27700),
                          status="planned")
    contract = Contract.objects.create(
        owner=side.council, contractor=side.contractor, reference=f"MX-CCTV-{side.number}",
        title="Public-space CCTV monitoring", contract_owner=manager,
        starts_on=dt.date(today.year - 1, 1, 1), ends_on=dt.date(today.year + 1, 12, 31),
    )
    for priority in FaultPriority.values:
        SlaTerm.objects.create(contract=contract, priority=priority, response_minutes=240, fix_minutes=960,
                               clock=SlaClock.ROUND_THE_CLOCK)

    def fault(summary: str):
        opened = fault_open(by=manager, priority=FaultPriority.P3, summary=summary, camera=camera)
        return fault_assign(fault=opened, by=manager, assignee=side.engineer)

    fault_open_ = fault("No picture since the storm")
    fault_acked = fault_acknowledge(fault=fault("Lens misted"), by=manager)
    fault_fixed = fault_fix(fault=fault_acknowledge(fault=fault("Camera pointing at a wall"), by=manager),
                            by=manager)
    snapshot = snapshot_add(camera=camera, data=png_bytes(), by=manager, caption="High Street at dusk")
    side.ids.update(camera_id=camera.pk, spare_camera_id=spare.pk, node_id=cabinet.pk, centre_node_id=centre.pk,
                    link_id=link.pk, contract_id=contract.pk, fault_id=fault_open_.pk, acked_fault_id=fault_acked.pk,
                    fixed_fault_id=fault_fixed.pk, snapshot_id=snapshot.pk)


def _maps_and_reports(side: MatrixSide, today: dt.datetime, month: dt.date, admin) -> None:
    from cctv.services.scheme import scheme_save
    from maps.proposals import proposal_create, proposal_decide, proposal_item_add, proposal_submit
    from maps.services import incident_record
    from reports.review import camera_review_record
    from reports.review_summary import review_summary_publish
    from reports.services import monthly_report_generate

    manager, camera_id = side.manager, side.ids["camera_id"]
    incident = incident_record(by=manager, category="Anti-social behaviour", occurred_at=today - dt.timedelta(days=3),
                               location=(*side.lon_lat(0, 20), 4326), location_text="Outside the arcade")
    # One no camera sees, so that coverage has an uncovered hotspot to report.
    incident_record(by=manager, category="Criminal damage and arson", occurred_at=today - dt.timedelta(days=4),
                    location=(*side.lon_lat(600, -400), 4326), location_text="Behind the leisure centre")
    camera_location = Point(side.centre[0] + 15, side.centre[1] + 5, srid=27700)

    def proposal(title: str):
        made = proposal_create(by=manager, title=title, owner=side.council)
        item = proposal_item_add(proposal=made, by=manager, kind="move", location=camera_location, camera_id=camera_id)
        return made, item

    draft, item = proposal("Cover the bus station forecourt")
    submitted, _ = proposal("Turn camera towards the taxi rank")
    proposal_submit(proposal=submitted, by=manager)
    approved, _ = proposal("Move camera off the wall")
    proposal_submit(proposal=approved, by=manager)
    proposal_decide(proposal=approved, by=admin, approve=True, reason="Agreed at the Operational Group")
    review = camera_review_record(camera=_camera(camera_id), by=manager,
                                  decision="keep", reason="Covers the late-night taxi rank.")
    report, _ = monthly_report_generate(owner=side.council, month=month, by=manager)
    scheme = scheme_save(owner=side.council, by=manager, name=f"{side.council.name} public-space CCTV",
                         statement="Cameras in the town centres, for the prevention and detection of crime.",
                         controller_contact="cctv@example.gov.uk", sar_instructions="Use the form below.",
                         published=True, sar_intake_enabled=True)
    summary = review_summary_publish(owner=side.council, year=today.year - 1, by=manager,
                                     summary="Every camera was reviewed; one was moved nearer the station.")
    side.ids.update(scheme_id=scheme.pk, summary_id=summary.pk, incident_id=incident.pk, proposal_id=draft.pk,
                    item_id=item.pk, submitted_proposal_id=submitted.pk, approved_proposal_id=approved.pk,
                    review_id=review.pk, report_id=report.pk)


def _camera(camera_id: int):
    from cctv.models import Camera

    return Camera.objects.get(pk=camera_id)


def _evidence(side: MatrixSide, today: dt.datetime, operator) -> None:
    from evidence.bundles import bundle_build
    from evidence.choices import ExhibitKind, LegalBasis, RequestKind, RequestState
    from evidence.services.release import bundle_request, request_release
    from evidence.services.requests import request_submit, sar_clock_pause
    from tests.evidence.factories import EvidenceRequestFactory, ExhibitFactory

    manager, officer = side.manager, side.officer
    window = {"incident_starts_at": today - dt.timedelta(days=2, hours=1),
              "incident_ends_at": today - dt.timedelta(days=2)}
    location = Point(side.centre[0], side.centre[1] + 20, srid=27700)
    submitted = request_submit(by=officer, owner=side.council, kind=RequestKind.POLICE_INVESTIGATION,
                               legal_basis=LegalBasis.DPA_SCH2_PARA2, reason="Assault outside the arcade.",
                               location=location, crime_reference=f"62/{side.number}0001/26", **window)
    sar = request_submit(by=manager, owner=side.council, kind=RequestKind.SAR, legal_basis=LegalBasis.UK_GDPR_ART15,
                         reason="Footage of myself on the High Street.", location=location,
                         requester_name="A. Person", **window)
    paused_sar = request_submit(by=manager, owner=side.council, kind=RequestKind.SAR,
                                legal_basis=LegalBasis.UK_GDPR_ART15, reason="Footage of my car being damaged.",
                                location=location, requester_name="B. Person", **window)
    sar_clock_pause(request=paused_sar, by=manager, reason="Waiting for proof of identity.")

    def worked(state: str, reference: str):
        request = EvidenceRequestFactory(owner=side.council, requester=officer, requester_organisation=side.force,
                                         state=state, reference=reference, with_created_event=True,
                                         location=location)
        footage = ExhibitFactory(request=request, reference=f"{reference}/1", camera_id=side.ids["camera_id"],
                                 created_by=operator)
        still = png_bytes()
        picture = ExhibitFactory(request=request, reference=f"{reference}/2", kind=ExhibitKind.STILL,
                                 is_master_copy=False, derived_from=footage, content=still,
                                 file=ContentFile(still, name="still.png"), content_type="image/png",
                                 created_by=operator)
        return request, footage, picture

    searching = EvidenceRequestFactory(owner=side.council, requester=officer, requester_organisation=side.force,
                                       state=RequestState.SEARCHING, reference=f"ER-MX{side.number}-S",
                                       with_created_event=True, location=location)
    exported, master, still = worked(RequestState.EXPORTED, f"ER-MX{side.number}-E")
    released, released_footage, _ = worked(RequestState.EXPORTED, f"ER-MX{side.number}-R")
    bundle = bundle_build(bundle_request(request=released, by=manager))
    assert bundle.status == "ready", bundle.error
    disclosure = request_release(request=released, by=manager, recipient_name="DC Jones")
    side.ids.update(request_id=submitted.pk, sar_request_id=sar.pk, paused_sar_request_id=paused_sar.pk,
                    searching_request_id=searching.pk, exported_request_id=exported.pk,
                    released_request_id=released.pk, exhibit_id=master.pk, still_exhibit_id=still.pk,
                    released_exhibit_id=released_footage.pk, bundle_id=bundle.pk, disclosure_id=disclosure.pk)


def _world_build() -> MatrixWorld:
    started_at = time.perf_counter()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.services import api_token_create
    from maps.models import IncidentImport

    now = timezone.now()
    sides, users = {}, {}
    admin = _user("mx.admin", Role.ADMIN, None, is_staff=True, is_superuser=True)
    for number in (1, 2):
        council, contractor, force = _organisations(number)
        prefix = "mx" if number == 1 else "mx2"
        side = MatrixSide(
            number=number, council=council, contractor=contractor, force=force,
            manager=_user(f"{prefix}.manager", Role.CCTV_MANAGER, council),
            officer=_user(f"{prefix}.officer", Role.POLICE_REQUESTER, force),
            engineer=_user(f"{prefix}.engineer", Role.ENGINEER, contractor),
            centre=BARRY if number == 1 else PENARTH,
        )
        sides[number] = side
    one, two = sides[1], sides[2]
    users.update({
        Role.CCTV_MANAGER: one.manager,
        Role.OPERATOR: _user("mx.operator", Role.OPERATOR, one.contractor),
        Role.OG_MEMBER: _user("mx.og", Role.OG_MEMBER, one.council),
        Role.POLICE_REQUESTER: one.officer,
        Role.ENGINEER: one.engineer,
        Role.AUDITOR: _user("mx.auditor", Role.AUDITOR, one.council),
        Role.ADMIN: admin,
        MANAGER_2: two.manager,
        POLICE_2: two.officer,
    })
    month = previous_month(timezone.localdate(now))
    for side in sides.values():
        _estate(side, now)
        _maps_and_reports(side, now, month, admin)
        _evidence(side, now, users[Role.OPERATOR] if side.number == 1 else side.manager)
    # Police open-data imports belong to no council: every member of staff sees every import's record.
    batch = IncidentImport.objects.create(file_name="2024-01-street.csv", file_sha256="0" * 64, rows_total=0,
                                          created_by=one.manager)
    # An authenticator someone began to set up and never confirmed (so nobody's sign-in changes): the
    # admin site's pages for a device need one to show.
    device = TOTPDevice.objects.create(user=users[Role.AUDITOR], name="matrix phone", confirmed=False)
    tokens = {actor: api_token_create(user=user, name=f"matrix {actor}").token.pk for actor, user in users.items()}
    clients, cookies = {}, {}
    for actor in ACTORS:
        client = Client(raise_request_exception=False)
        if actor in users:
            client.force_login(users[actor])
        clients[actor] = client
        cookies[actor] = client.cookies.__class__(client.cookies)
    return MatrixWorld(sides=sides, users=users, clients=clients, cookies=cookies, tokens=tokens,
                       month=f"{month:%Y-%m}",
                       this_month=f"{timezone.localdate(now):%Y-%m}", import_id=batch.pk,
                       totp_device_id=device.pk, started_at=started_at)


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[MatrixWorld]:
    """Both sides' objects, inside a transaction that the end of the module rolls back."""
    with (
        django_db_blocker.unblock(),
        world_rolled_back(
            tmp_path_factory.mktemp("matrix-world"), _world_build,
            # /healthz and /api/system/health ping the Celery worker; none runs here and the matrix asks only
            # who may call them, so do not wait long for its answer.
            HEALTH_WORKER_TIMEOUT_S=0.05,
            TWO_FACTOR_REQUIRED_ROLES=[],
        ) as world,
    ):
        yield world


@pytest.fixture
def matrix(matrix_world, db) -> MatrixWorld:
    # The API's anonymous rate limit counts in the process's cache: clear what earlier tests (the schema
    # fuzzer's calls to open endpoints) left there, or a check could meet a 429 that is not its own.
    caches["default"].clear()
    return matrix_world


@pytest.fixture
def matrix_isolated():
    """A savepoint per request, rolled back after it (tests/security/worlds.py)."""
    return rolled_back
