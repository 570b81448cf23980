"""factory_boy factories for the estate: Camera, Node, Link, Contract, SlaTerm, Fault.

They write rows directly (no services), so they are for arranging a test, not for testing a
rule: when the behaviour under test is a service's (a camera's first timeline entry, a
fault's due times, a link's length check), call the service instead.

Geometry is in EPSG:27700 inside the Vale service area (settings.SERVICE_AREA_BBOX_27700),
around Barry (311000, 167000), spread by the sequence so that no two defaults coincide.

- CameraFactory: a fixed camera looking north, 60 degrees wide, 50 m range. Its view_polygon
  is built with cctv.geometry.field_of_view from the same fields, as the service does, so
  coverage queries see it. It also gets the first entry of its status timeline (as
  camera_create writes); pass `timeline=False` to leave the timeline empty.
- NodeFactory: an in-service street cabinet.
- LinkFactory: an in-service fibre link between two new cabinets of the link's owner; the
  route is the straight line between them and length_m is that line's length in metres.
  Give `a_node`/`b_node` to join existing nodes (the route and length follow them).
- ContractFactory: a council's contract with a contractor organisation, running for the
  current year, owned by a CCTV manager of the council.
- SlaTermFactory: P2, respond in 4 h, fix in 16 h, around the clock. (contract, priority) is
  unique, so give another `priority` for a second term on the same contract.
- FaultFactory: an open P3 manual fault on a new camera of the fault's owner, reported now.
  For a node or link fault pass `camera=None, node=...` (or `link=...`): exactly one subject.
"""

import datetime as dt

import factory
from django.contrib.gis.geos import LineString, Point
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from cctv.choices import (
    CameraKind,
    CameraStatus,
    FaultPriority,
    FaultStatus,
    LinkKind,
    NetworkStatus,
    NodeKind,
    SlaClock,
    StatusSource,
)
from cctv.geometry import field_of_view
from cctv.models import Camera, CameraStatusChange, Contract, Fault, Link, Node, SlaTerm
from tests.accounts.factories import OrganisationFactory, UserFactory

BARRY_E, BARRY_N = 311000.0, 167000.0


def _grid_point(n: int) -> Point:
    """A distinct point 20 m apart per sequence number, rows of 50, inside the service area."""
    return Point(BARRY_E + 20 * (n % 50), BARRY_N + 20 * (n // 50), srid=27700)


class CouncilFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Council {n}")
    kind = OrganisationKind.COUNCIL


class NodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Node

    owner = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Cabinet {n}")
    kind = NodeKind.CABINET
    location = factory.Sequence(lambda n: _grid_point(n + 1000))
    status = NetworkStatus.IN_SERVICE


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Link

    owner = factory.SubFactory(CouncilFactory)
    kind = LinkKind.FIBRE
    a_node = factory.SubFactory(NodeFactory, owner=factory.SelfAttribute("..owner"))
    b_node = factory.SubFactory(NodeFactory, owner=factory.SelfAttribute("..owner"))
    route = factory.LazyAttribute(lambda o: LineString(o.a_node.location, o.b_node.location, srid=27700))
    length_m = factory.LazyAttribute(lambda o: o.route.length)
    status = NetworkStatus.IN_SERVICE


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera
        skip_postgeneration_save = True

    owner = factory.SubFactory(CouncilFactory)
    asset_ref = factory.Sequence(lambda n: f"VOG-T{n:04d}")
    name = factory.Sequence(lambda n: f"Test camera {n}")
    location = factory.Sequence(_grid_point)
    kind = CameraKind.FIXED
    status = CameraStatus.OPERATIONAL
    status_changed_at = factory.LazyFunction(timezone.now)
    bearing_deg = 0.0
    view_angle_deg = 60.0
    view_range_m = 50.0
    view_polygon = factory.LazyAttribute(
        lambda o: field_of_view(
            o.location, bearing_deg=o.bearing_deg, angle_deg=o.view_angle_deg, range_m=o.view_range_m,
            full_circle=o.kind == CameraKind.PTZ,
        )
    )

    @factory.post_generation
    def timeline(self, create, extracted, **kwargs):
        """The first status entry, as camera_create writes it (skip with timeline=False)."""
        if create and extracted is not False:
            CameraStatusChange.objects.create(
                camera=self, status=self.status, changed_at=self.status_changed_at,
                source=StatusSource.SYSTEM, note="registered",
            )


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    owner = factory.SubFactory(CouncilFactory)
    contractor = factory.SubFactory(
        OrganisationFactory, name=factory.Sequence(lambda n: f"Contractor {n}"), kind=OrganisationKind.CONTRACTOR
    )
    reference = factory.Sequence(lambda n: f"VOG-CCTV-{n:03d}")
    title = "Public-space CCTV monitoring"
    starts_on = factory.LazyFunction(lambda: dt.date(timezone.localdate().year, 1, 1))
    ends_on = factory.LazyFunction(lambda: dt.date(timezone.localdate().year, 12, 31))
    contract_owner = factory.SubFactory(
        UserFactory, role=Role.CCTV_MANAGER, organisation=factory.SelfAttribute("..owner")
    )


class SlaTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaTerm

    contract = factory.SubFactory(ContractFactory)
    priority = FaultPriority.P2
    response_minutes = 240
    fix_minutes = 960
    clock = SlaClock.ROUND_THE_CLOCK


class FaultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fault

    owner = factory.SubFactory(CouncilFactory)
    reference = factory.Sequence(lambda n: f"F-TEST-{n:05d}")
    camera = factory.SubFactory(CameraFactory, owner=factory.SelfAttribute("..owner"))
    priority = FaultPriority.P3
    status = FaultStatus.OPEN
    summary = factory.Sequence(lambda n: f"Test fault {n}")
    reported_at = factory.LazyFunction(timezone.now)
