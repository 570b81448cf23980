"""A populated Vale, built once per test module, for the schema fuzzer and the hostile-input suite.

The world is the demo estate (84 cameras, the network, the contract, a year of faults), the demo
evidence requests in every workflow state with their exhibits, the real January 2024 incidents, a
draft proposal, a camera review and a built release bundle: enough that every id in a path can hit
a real object. Building it costs a few seconds, so it is made once per module inside one outer
transaction that is rolled back at the end; each test still runs in its own savepoint (pytest-django's
`db`), and each fuzzed request in another one, so no request sees what an earlier one changed.

The fuzzer's requests go through Django's real WSGI handler (the one gunicorn runs) rather than the test
client, so middleware, CSRF and the bearer-token auth see exactly what production sees. Only the
close-old-connections hooks are unplugged while it runs, as Django's own test client does: they would
otherwise close the connection that holds the world's transaction.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from PIL import Image

from accounts.choices import Role
from tests.security.worlds import rolled_back, world_rolled_back

PASSWORD = "fuzz-world-password-9f3a"

# The demo usernames of each role the fuzzer signs in as (DESIGN.md section 1).
ROLE_USERS = {
    Role.CCTV_MANAGER: "manager",
    Role.OPERATOR: "operator",
    Role.POLICE_REQUESTER: "officer",
    Role.ENGINEER: "engineer",
    Role.AUDITOR: "auditor",
    Role.OG_MEMBER: "og",
    Role.ADMIN: "admin",
}


@dataclass
class World:
    """What the fuzzer and the hostile tests need to find again: users, their tokens, real ids."""

    users: dict[str, object]
    tokens: dict[str, str]
    ids: dict[str, int | str] = field(default_factory=dict)

    def bearer(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _world_build() -> World:
    from accounts.demo import demo_organisations_ensure, demo_people_ensure
    from accounts.models import User
    from accounts.services import api_token_create
    from cctv.choices import FaultStatus
    from cctv.demo.load import vale_demo_estate_load
    from cctv.models import Camera, Contract, Fault, Link, Node
    from evidence.bundles import bundle_build
    from evidence.choices import RequestState
    from evidence.demo import vale_demo_evidence_load
    from evidence.models import EvidenceRequest, Exhibit
    from evidence.services.release import bundle_request
    from maps.demo import real_month_import
    from maps.models import Incident, IncidentImport
    from maps.proposals import proposal_create, proposal_item_add
    from reports.review import camera_review_record

    orgs = demo_organisations_ensure()
    demo_people_ensure(orgs=orgs, password=PASSWORD)
    # A fixed day, so the estate's history (and so every fuzzed answer) is the same on every run.
    today = dt.datetime(2026, 3, 16, 12, 0, tzinfo=dt.UTC)
    vale_demo_estate_load(seed=2026, today=today)
    vale_demo_evidence_load(today=today)
    real_month_import()

    users = {role: User.objects.get(username=username) for role, username in ROLE_USERS.items()}
    tokens = {role: api_token_create(user=user, name=f"fuzz {role}").plaintext for role, user in users.items()}
    manager = users[Role.CCTV_MANAGER]

    camera = Camera.objects.filter(owner=orgs.council, view_polygon__isnull=False).order_by("asset_ref").first()
    proposal = proposal_create(by=manager, title="Fuzz: cover the station forecourt", owner=orgs.council)
    item = proposal_item_add(proposal=proposal, by=manager, kind="move", location=camera.location,
                             camera_id=camera.pk)
    camera_review_record(camera=camera, by=manager, decision="keep", reason="Covers the taxi rank at night.",
                         as_of=today.date())

    exported = EvidenceRequest.objects.filter(state=RequestState.EXPORTED).order_by("pk").first()
    bundle = bundle_build(bundle_request(request=exported, by=manager))
    snapshot = _snapshot_add(camera, manager)

    ids = {
        "camera_id": camera.pk,
        "node_id": Node.objects.order_by("pk").first().pk,
        "link_id": Link.objects.order_by("pk").first().pk,
        "fault_id": Fault.objects.filter(status=FaultStatus.OPEN).order_by("pk").first().pk,
        "contract_id": Contract.objects.order_by("pk").first().pk,
        "token_id": users[Role.CCTV_MANAGER].api_tokens.order_by("pk").first().pk,
        "snapshot_id": snapshot.pk,
        "variant": "image",
        "request_id": exported.pk,
        "submitted_request_id": EvidenceRequest.objects.filter(state=RequestState.SUBMITTED).first().pk,
        "exhibit_id": Exhibit.objects.filter(request=exported).order_by("pk").first().pk,
        "bundle_id": bundle.pk,
        "import_id": IncidentImport.objects.order_by("pk").first().pk,
        "incident_id": Incident.objects.order_by("pk").first().pk,
        "proposal_id": proposal.pk,
        "item_id": item.pk,
        "council_id": orgs.council.pk,
        "month": "2024-01",
        "move": "accept",
    }
    return World(users=users, tokens=tokens, ids=ids)


def _snapshot_add(camera, by):
    from cctv.services.snapshots import snapshot_add

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(buffer, format="PNG")
    return snapshot_add(camera=camera, data=buffer.getvalue(), by=by, caption="Forecourt at dusk")


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The populated world, inside a transaction that the end of the module rolls back."""
    with (
        django_db_blocker.unblock(),
        world_rolled_back(
            tmp_path_factory.mktemp("fuzz-world"), _world_build,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            # No worker runs here: the health report's ping need not wait long to learn that.
            HEALTH_WORKER_TIMEOUT_S=0.1,
        ) as world,
    ):
        yield world


@pytest.fixture(scope="module")
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's production WSGI handler, minus the hooks that would close the connection holding the world."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def isolated_request():
    """A savepoint per request, rolled back after it (tests/security/worlds.py)."""
    return rolled_back

