"""Availability from the status timeline, per camera and estate-wide, against the contract's targets.

The period is the ten days from Saturday 1 March 2025 (London = UTC then, no clock change), so
every figure is a count of whole days that can be checked on paper.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.exceptions import InvalidInput
from cctv.availability import availability_period, camera_availability, estate_availability
from cctv.choices import CameraStatus, FaultPriority, SlaClock
from cctv.models import Camera
from cctv.services.cameras import camera_create, camera_status_record
from cctv.services.contract import SlaTermSpec, contract_create
from tests.accounts.factories import OrganisationFactory

LONDON = ZoneInfo("Europe/London")
DAY = 86400
START = dt.datetime(2025, 3, 1, tzinfo=LONDON)
END = START + dt.timedelta(days=10)
URL = "/api/health/availability"


def day(n: float) -> dt.datetime:
    return START + dt.timedelta(days=n)


def make_camera(owner, asset_ref, history):
    """A camera whose timeline is `history`: (day offset, status) pairs, the first being its registration."""
    (first_day, first_status), *rest = history
    camera = camera_create(owner=owner, by=None, status_at=day(first_day), status=first_status, asset_ref=asset_ref,
                           name=f"Camera {asset_ref}", location=Point(313000, 168000, srid=27700))
    for offset, status in rest:
        camera_status_record(camera=camera, status=status, at=day(offset), by=None)
    return camera


@pytest.fixture
def camera_a(council):
    """Planned, then operational from before the period (so in force at its start), then the brief's history:
    operational 0-3, offline 3-4, degraded 4-6, faulty 6-7, operational 7-10; and changes after the end.
    Up: 3 + 2 + 3 = 8 days of 10 monitored = 80%."""
    return make_camera(council, "VG-001", [
        (-10, CameraStatus.PLANNED), (-4, CameraStatus.OPERATIONAL), (3, CameraStatus.OFFLINE),
        (4, CameraStatus.DEGRADED), (6, CameraStatus.FAULTY), (7, CameraStatus.OPERATIONAL),
        (10, CameraStatus.OFFLINE), (12, CameraStatus.FAULTY),
    ])


@pytest.fixture
def camera_b(council):
    """Operational before the period, offline from its first instant for a day, operational 1-4, then
    decommissioned 4-10 (left out). Up 3 days of 4 monitored = 75%."""
    return make_camera(council, "VG-002", [
        (-30, CameraStatus.OPERATIONAL), (0, CameraStatus.OFFLINE), (1, CameraStatus.OPERATIONAL),
        (4, CameraStatus.DECOMMISSIONED),
    ])


@pytest.fixture
def contract(council, contractor, cctv_manager):
    cctv_manager.email = "cctv.manager@vale.example"
    cctv_manager.save()
    return contract_create(
        owner=council, contractor=contractor, contract_owner=cctv_manager, by=None, reference="VOG-MON-2025",
        title="CCTV monitoring", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31),
        sla_terms=[SlaTermSpec(FaultPriority.P2, 60, 480, SlaClock.ROUND_THE_CLOCK)],
        availability_target_pct=Decimal("78.50"), camera_availability_target_pct=Decimal("80.00"),
    )


def period(end=END, now=None):
    return availability_period(start_at=START, end_at=end, now=now or dt.datetime(2026, 1, 1, tzinfo=LONDON))


def by_ref(figures):
    return {f.asset_ref: f for f in figures}


def test_a_camera_with_a_known_history_is_available_80_percent(camera_a):
    [figure] = camera_availability(cameras=Camera.objects.all(), period=period())
    assert (figure.up_seconds, figure.monitored_seconds, figure.pct) == (8 * DAY, 10 * DAY, 80.0)


def test_a_decommissioned_stretch_is_left_out_of_the_denominator(camera_b):
    [figure] = camera_availability(cameras=Camera.objects.all(), period=period())
    assert (figure.up_seconds, figure.monitored_seconds, figure.pct) == (3 * DAY, 4 * DAY, 75.0)


def test_time_before_a_camera_was_registered_counts_nowhere(council):
    make_camera(council, "VG-003", [(8, CameraStatus.OPERATIONAL)])
    [figure] = camera_availability(cameras=Camera.objects.all(), period=period())
    assert (figure.up_seconds, figure.monitored_seconds, figure.pct) == (2 * DAY, 2 * DAY, 100.0)


def test_a_camera_with_no_monitored_time_has_no_percentage(council):
    make_camera(council, "VG-004", [(-5, CameraStatus.PLANNED)])
    [figure] = camera_availability(cameras=Camera.objects.all(), period=period())
    assert (figure.up_seconds, figure.monitored_seconds, figure.pct, figure.target_met) == (0, 0, None, None)


def test_the_estate_figure_is_weighted_by_time_not_a_mean_of_percentages(camera_a, camera_b):
    [estate] = estate_availability(cameras=Camera.objects.all(), period=period())
    # (8 + 3) days up over (10 + 4) days monitored = 11/14; the mean of 80% and 75% would be 77.5%.
    assert (estate.up_seconds, estate.monitored_seconds, estate.cameras) == (11 * DAY, 14 * DAY, 2)
    assert estate.pct == 78.571


def test_time_after_now_is_not_counted(camera_a):
    # Counted to day 5: operational 0-3, offline 3-4, degraded 4-5: 4 days up of 5.
    [figure] = camera_availability(cameras=Camera.objects.all(), period=period(now=day(5)))
    assert (figure.up_seconds, figure.monitored_seconds, figure.pct) == (4 * DAY, 5 * DAY, 80.0)


def test_a_period_that_has_not_started_has_no_figures(camera_a):
    [figure] = camera_availability(cameras=Camera.objects.all(), period=period(now=day(-1)))
    assert (figure.monitored_seconds, figure.pct) == (0, None)


def test_targets_come_from_the_contract_and_meeting_one_exactly_counts_as_met(camera_a, camera_b, contract):
    figures = by_ref(camera_availability(cameras=Camera.objects.all(), period=period()))
    [estate] = estate_availability(cameras=Camera.objects.all(), period=period())
    a, b = figures["VG-001"], figures["VG-002"]
    assert (a.contract_reference, a.target_pct, a.target_met) == ("VOG-MON-2025", Decimal("80.00"), True)
    assert (b.target_pct, b.target_met) == (Decimal("80.00"), False)
    assert (estate.contract_reference, estate.target_pct, estate.target_met) == ("VOG-MON-2025", Decimal("78.50"), True)


def test_without_a_contract_for_the_period_there_is_no_target(camera_a, contract):
    # VG-001 has been faulty since 13 March 2025, so the figure is 0%, with nothing to judge it against.
    later = availability_period(start_at=dt.datetime(2026, 3, 1, tzinfo=LONDON),
                                end_at=dt.datetime(2026, 3, 2, tzinfo=LONDON),
                                now=dt.datetime(2027, 1, 1, tzinfo=LONDON))
    [figure] = camera_availability(cameras=Camera.objects.all(), period=later)
    assert (figure.pct, figure.contract_reference, figure.target_pct, figure.target_met) == (0.0, None, None, None)


def test_each_council_gets_its_own_estate_figure(camera_a, contractor):
    cardiff = OrganisationFactory(name="Cardiff Council", kind=OrganisationKind.COUNCIL)
    make_camera(cardiff, "CF-001", [(-1, CameraStatus.OPERATIONAL), (5, CameraStatus.OFFLINE)])
    estates = {e.owner_name: e for e in estate_availability(cameras=Camera.objects.all(), period=period())}
    assert estates["Vale of Glamorgan Council"].pct == 80.0
    assert (estates["Cardiff Council"].up_seconds, estates["Cardiff Council"].pct) == (5 * DAY, 50.0)


def test_a_period_must_end_after_it_starts():
    with pytest.raises(InvalidInput, match="end must be after its start"):
        availability_period(start_at=START, end_at=START)


# --- The API -----------------------------------------------------------------------------------

def test_the_api_returns_the_same_figures(client, cctv_manager, camera_a, camera_b, contract):
    client.force_login(cctv_manager)
    response = client.get(URL, {"start": "2025-03-01", "end": "2025-03-11"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["start"], body["end"]) == ("2025-03-01T00:00:00Z", "2025-03-11T00:00:00Z")
    [estate] = body["estates"]
    assert estate == {
        "owner_id": cctv_manager.organisation_id, "owner_name": "Vale of Glamorgan Council", "cameras": 2,
        "up_seconds": 11 * DAY, "monitored_seconds": 14 * DAY, "pct": 78.571,
        "contract_reference": "VOG-MON-2025", "target_pct": 78.5, "target_met": True,
    }
    cameras = {c["asset_ref"]: c for c in body["cameras"]}
    assert (cameras["VG-001"]["up_seconds"], cameras["VG-001"]["pct"], cameras["VG-001"]["target_met"]) == (
        8 * DAY, 80.0, True)
    assert (cameras["VG-002"]["monitored_seconds"], cameras["VG-002"]["pct"], cameras["VG-002"]["target_met"]) == (
        4 * DAY, 75.0, False)


def test_the_api_for_one_camera_gives_it_and_its_owners_estate(client, operator, camera_a, camera_b):
    client.force_login(operator)
    body = client.get(URL, {"start": "2025-03-01T00:00:00Z", "end": "2025-03-11T00:00:00+00:00",
                            "camera": camera_b.pk}).json()
    assert [c["asset_ref"] for c in body["cameras"]] == ["VG-002"]
    assert body["estates"][0]["pct"] == 78.571


def test_the_api_counts_the_25_and_23_hour_days_when_the_clocks_change(client, cctv_manager, council):
    camera_create(owner=council, by=None, status_at=dt.datetime(2024, 10, 1, tzinfo=LONDON),
                  status=CameraStatus.OPERATIONAL, asset_ref="VG-010", name="Camera VG-010",
                  location=Point(313000, 168000, srid=27700))
    client.force_login(cctv_manager)
    autumn = client.get(URL, {"start": "2024-10-27", "end": "2024-10-28"}).json()
    spring = client.get(URL, {"start": "2025-03-30", "end": "2025-03-31"}).json()
    assert autumn["cameras"][0]["monitored_seconds"] == 25 * 3600
    assert (spring["start"], spring["end"]) == ("2025-03-30T00:00:00Z", "2025-03-31T00:00:00+01:00")
    assert spring["cameras"][0]["monitored_seconds"] == 23 * 3600


def test_another_councils_cameras_are_not_in_the_figures(client, cctv_manager, camera_a):
    stranger = OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)
    theirs = make_camera(stranger, "BR-001", [(-1, CameraStatus.OFFLINE)])
    client.force_login(cctv_manager)
    body = client.get(URL, {"start": "2025-03-01", "end": "2025-03-11"}).json()
    assert [c["asset_ref"] for c in body["cameras"]] == ["VG-001"]
    assert [e["owner_name"] for e in body["estates"]] == ["Vale of Glamorgan Council"]
    response = client.get(URL, {"start": "2025-03-01", "end": "2025-03-11", "camera": theirs.pk})
    assert response.status_code == 404
    assert response.json()["detail"] == f"No camera with id {theirs.pk}."


@pytest.mark.parametrize("role", ["police_requester", "engineer"])
def test_roles_outside_the_contract_may_not_see_availability(client, people, role):
    client.force_login(people[role])
    response = client.get(URL)
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role may not view availability against the contract."


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"start": "1 March"}, "start must be an ISO date (2025-03-01) or date-time (2025-03-01T09:00:00Z), "
                               "not '1 March'."),
        ({"start": "2025-03-01", "end": "2025-02-30"}, "end must be an ISO date"),
        ({"start": "2025-03-11", "end": "2025-03-01"}, "The period's end must be after its start."),
    ],
)
def test_a_bad_period_is_a_400_that_says_what_is_wrong(client, cctv_manager, query, detail):
    client.force_login(cctv_manager)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


def test_without_dates_the_api_reports_this_month_so_far(client, cctv_manager):
    client.force_login(cctv_manager)
    body = client.get(URL).json()
    today = timezone.localdate()
    assert dt.datetime.fromisoformat(body["start"]).astimezone(LONDON).date() == today.replace(day=1)
    assert dt.datetime.fromisoformat(body["counted_to"]) <= timezone.now()


def test_the_api_makes_the_same_number_of_queries_for_three_cameras_or_thirty(
        client, cctv_manager, council, django_assert_max_num_queries, django_assert_num_queries):
    """Session, user and scope, then one query each for estates, cameras and each one's contracts."""
    client.force_login(cctv_manager)
    client.get("/")  # the session's activity stamp is written on the first request, then once a minute
    for n in range(3):
        make_camera(council, f"VG-1{n:02d}", [(-1, CameraStatus.OPERATIONAL), (n % 7, CameraStatus.OFFLINE)])
    with django_assert_max_num_queries(10) as few:
        assert len(client.get(URL, {"start": "2025-03-01", "end": "2025-03-11"}).json()["cameras"]) == 3
    for n in range(3, 30):
        make_camera(council, f"VG-1{n:02d}", [(-1, CameraStatus.OPERATIONAL), (n % 7, CameraStatus.OFFLINE)])
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(URL, {"start": "2025-03-01", "end": "2025-03-11"}).json()["cameras"]) == 30
