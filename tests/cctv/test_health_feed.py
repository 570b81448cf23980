"""The health feed: events in, the status timeline, and faults for cameras left offline.

Times are fixed relative to one `base` instant (yesterday, on the hour) so that API posts are
inside the feed's 7-day window; service calls pass `now=` explicitly rather than waiting.
"""

import datetime as dt
import json
import threading

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import timezone

import cctv.tasks_health  # noqa: F401  (registers the task with the in-process worker)
from accounts.choices import OrganisationKind
from accounts.services import api_token_create
from cctv.availability import availability_period, camera_availability
from cctv.choices import CameraStatus, FaultPriority, FaultSource, FaultStatus, StatusSource
from cctv.models import Camera, CameraStatusChange, Fault, FaultNote, HealthObservation
from cctv.services.cameras import camera_create, camera_status_record
from cctv.services.health import HealthEvent, health_events_ingest, offline_faults_open
from tests.accounts.factories import OrganisationFactory, UserFactory

URL = "/api/health/events"


@pytest.fixture
def base():
    """Yesterday at 10:00 London time: recent enough for the feed, fixed within a test."""
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    return yesterday.replace(hour=10, minute=0, second=0, microsecond=0)


def make_camera(owner, asset_ref, *, status_at, status=CameraStatus.OPERATIONAL):
    return camera_create(owner=owner, by=None, status_at=status_at, asset_ref=asset_ref, name=f"Camera {asset_ref}",
                         location=Point(313000, 168000, srid=27700), status=status)


@pytest.fixture
def cameras(council, base):
    """Two council cameras, operational since the day before `base`."""
    return [make_camera(council, ref, status_at=base - dt.timedelta(days=1)) for ref in ("VG-001", "VG-002")]


def event(asset_ref, state, observed_at):
    return {"asset_ref": asset_ref, "state": state,
            "observed_at": observed_at.isoformat() if isinstance(observed_at, dt.datetime) else observed_at}


def post(client, user, body):
    token = api_token_create(user=user, name="monitoring").plaintext
    return client.post(URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def timeline(camera):
    return list(camera.status_changes.order_by("changed_at", "id").values_list("status", "changed_at"))


def ingest(user, *events, now):
    return health_events_ingest(events=[HealthEvent(*e) for e in events], by=user, now=now)


# --- Events in --------------------------------------------------------------------------------

def test_a_batch_is_accepted_and_each_event_enters_the_timeline(client, operator, cameras, base):
    one, two = cameras
    response = post(client, operator, [
        event("VG-001", "offline", base), event("VG-002", "video_loss", base + dt.timedelta(minutes=5)),
    ])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 0, 0)
    assert [r["outcome"] for r in body["results"]] == ["accepted", "accepted"]
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.status_changed_at) == (CameraStatus.OFFLINE, base)
    assert (two.status, two.status_changed_at) == (CameraStatus.FAULTY, base + dt.timedelta(minutes=5))
    change = one.status_changes.latest("changed_at")
    assert (change.source, change.changed_by) == (StatusSource.HEALTH_FEED, operator)
    assert HealthObservation.objects.count() == 2


def test_posting_the_same_batch_twice_changes_nothing_the_second_time(client, operator, cameras, base):
    batch = [event("VG-001", "offline", base), event("VG-001", "online", base + dt.timedelta(hours=1)),
             event("VG-002", "tamper", base)]
    first = post(client, operator, batch).json()
    rows, observations = CameraStatusChange.objects.count(), HealthObservation.objects.count()
    history = timeline(cameras[0])

    second = post(client, operator, batch).json()

    assert (first["accepted"], first["duplicates"]) == (3, 0)
    assert (second["accepted"], second["duplicates"], second["rejected"]) == (0, 3, 0)
    assert {r["outcome"] for r in second["results"]} == {"duplicate"}
    assert CameraStatusChange.objects.count() == rows == 2 + 3  # two registrations and three events
    assert HealthObservation.objects.count() == observations == 3
    assert timeline(cameras[0]) == history


def test_a_repeat_within_one_batch_is_a_duplicate(operator, cameras, base):
    result = ingest(operator, ("VG-001", "offline", base), ("VG-001", "offline", base), now=base)
    assert [r.outcome for r in result.results] == ["accepted", "duplicate"]
    assert cameras[0].status_changes.count() == 2


def test_a_late_offline_event_fills_in_history_without_changing_the_current_status(client, operator, cameras, base):
    camera = cameras[0]
    ten, eleven = base, base + dt.timedelta(hours=1)
    assert post(client, operator, [event("VG-001", "online", eleven)]).json()["accepted"] == 1
    assert post(client, operator, [event("VG-001", "offline", ten)]).json()["accepted"] == 1

    camera.refresh_from_db()
    assert camera.status == CameraStatus.OPERATIONAL
    assert timeline(camera) == [
        (CameraStatus.OPERATIONAL, base - dt.timedelta(days=1)),
        (CameraStatus.OFFLINE, ten),
        (CameraStatus.OPERATIONAL, eleven),
    ]


def test_events_of_one_batch_are_applied_in_time_order_whatever_order_they_are_sent(operator, cameras, base):
    eleven = base + dt.timedelta(hours=1)
    ingest(operator, ("VG-001", "online", eleven), ("VG-001", "offline", base), now=eleven)
    camera = cameras[0]
    camera.refresh_from_db()
    assert (camera.status, camera.status_changed_at) == (CameraStatus.OPERATIONAL, eleven)


def test_an_unknown_camera_is_refused_and_the_rest_of_the_batch_is_accepted(client, operator, cameras, base):
    response = post(client, operator, [
        event("VG-001", "offline", base), event("VG-999", "offline", base), event("VG-002", "offline", base),
    ])
    body = response.json()
    assert response.status_code == 200
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 0, 1)
    assert body["results"][1] == {"index": 1, "asset_ref": "VG-999", "outcome": "error",
                                  "reason": "Unknown camera 'VG-999'."}
    assert HealthObservation.objects.count() == 2


def test_a_camera_of_a_council_that_does_not_share_its_estate_is_unknown(client, operator, cameras, base):
    stranger = OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)
    theirs = make_camera(stranger, "BR-001", status_at=base - dt.timedelta(days=1))
    body = post(client, operator, [event("BR-001", "offline", base)]).json()
    assert body["results"][0]["reason"] == "Unknown camera 'BR-001'."
    theirs.refresh_from_db()
    assert theirs.status == CameraStatus.OPERATIONAL
    assert not HealthObservation.objects.exists()


def test_an_asset_reference_shared_by_two_visible_councils_is_refused_as_ambiguous(operator, contractor, cameras, base):
    second_council = OrganisationFactory(name="Cardiff Council", kind=OrganisationKind.COUNCIL)
    second_council.shares_with.add(contractor)
    make_camera(second_council, "VG-001", status_at=base - dt.timedelta(days=1))
    result = ingest(operator, ("VG-001", "offline", base), now=base)
    assert result.results[0].outcome == "error"
    assert "names cameras of 2 organisations" in result.results[0].reason


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"state": "offline", "observed_at": "OFFSET"}, "Missing asset_ref."),
        ({"asset_ref": "  ", "state": "offline", "observed_at": "OFFSET"}, "Missing asset_ref."),
        ({"asset_ref": "VG-001", "observed_at": "OFFSET"}, "Missing state."),
        ({"asset_ref": "VG-001", "state": "offline"}, "Missing observed_at."),
        ({"asset_ref": "VG-001", "state": "smoke", "observed_at": "OFFSET"},
         "Unknown state 'smoke'; use one of online, offline, video_loss, tamper."),
        ({"asset_ref": "VG-001", "state": "offline", "observed_at": "NAIVE"}, "observed_at has no UTC offset"),
        ({"asset_ref": "VG-001", "state": "offline", "observed_at": "FUTURE"},
         "observed_at is more than 5 minutes in the future"),
        ({"asset_ref": "VG-001", "state": "offline", "observed_at": "OLD"}, "observed_at is more than 7 days old"),
    ],
)
def test_each_bad_event_is_refused_with_its_own_reason(client, operator, cameras, fields, reason):
    now = timezone.now()
    times = {"OFFSET": now.isoformat(), "NAIVE": now.replace(tzinfo=None).isoformat(),
             "FUTURE": (now + dt.timedelta(minutes=6)).isoformat(), "OLD": (now - dt.timedelta(days=8)).isoformat()}
    bad = {name: times.get(value, value) for name, value in fields.items()}
    body = post(client, operator, [bad, event("VG-002", "offline", now - dt.timedelta(minutes=1))]).json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["results"][0]["outcome"] == "error"
    assert body["results"][0]["reason"].startswith(reason)


def test_an_event_four_minutes_ahead_of_our_clock_is_accepted(operator, cameras, base):
    result = ingest(operator, ("VG-001", "offline", base + dt.timedelta(minutes=4)), now=base)
    assert result.accepted == 1


def test_the_feed_does_not_bring_back_a_decommissioned_camera(operator, cameras, base):
    camera = cameras[0]
    camera_status_record(camera=camera, status=CameraStatus.DECOMMISSIONED, at=base, by=None)
    result = ingest(operator, ("VG-001", "online", base + dt.timedelta(hours=1)),
                    ("VG-001", "offline", base - dt.timedelta(hours=1)), now=base + dt.timedelta(hours=2))
    assert [r.outcome for r in result.results] == ["error", "accepted"]
    assert result.results[0].reason.startswith("The camera was decommissioned at observed_at")
    camera.refresh_from_db()
    assert camera.status == CameraStatus.DECOMMISSIONED
    assert HealthObservation.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"asset_ref": "VG-001", "state": "offline", "observed_at": "2025-03-01T10:00:00Z"},
         "events: Input should be a valid list"),
        ([{"asset_ref": "VG-001", "state": "offline", "observed_at": "NOW"}, {"asset_ref": 17, "state": "offline"}],
         "events.1.asset_ref: Input should be a valid string"),
        ([{"asset_ref": "VG-001", "state": "offline", "observed_at": "NOW"},
          {"asset_ref": "VG-002", "state": "offline", "observed_at": "yesterday-ish"}],
         "events.1.observed_at: Input should be a valid datetime"),
        ([{"asset_ref": "VG-001", "state": "offline", "observed_at": "NOW"}, "VG-002 offline"],
         "events.1: Input should be a valid dictionary"),
    ],
)
def test_a_malformed_batch_is_a_422_and_nothing_is_written(client, operator, cameras, body, detail):
    now = timezone.now().isoformat()
    if isinstance(body, list):
        body = [{**item, "observed_at": now} if isinstance(item, dict) and item.get("observed_at") == "NOW" else item
                for item in body]
    rows = CameraStatusChange.objects.count()
    response = post(client, operator, body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)
    assert CameraStatusChange.objects.count() == rows
    assert not HealthObservation.objects.exists()


def test_a_batch_over_the_limit_is_refused_whole_with_a_400(client, operator, cameras, base):
    batch = [event("VG-001", "offline", base + dt.timedelta(seconds=i)) for i in range(1001)]
    response = post(client, operator, batch)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "A batch holds at most 1000 events; this one has 1001. Send it in smaller batches."
    )
    assert not HealthObservation.objects.exists()


@pytest.mark.parametrize(
    ("role", "status_code"),
    [("cctv_manager", 200), ("operator", 200), ("admin", 200), ("og_member", 403), ("police_requester", 403),
     ("police_other", 403), ("engineer", 403), ("auditor", 403)],
)
def test_only_the_control_room_roles_may_post_health_events(client, people, cameras, base, role, status_code):
    response = post(client, people[role], [event("VG-001", "offline", base)])
    assert response.status_code == status_code, response.content
    if status_code == 403:
        assert response.json()["detail"].startswith("Your role may not post health events")
        assert not HealthObservation.objects.exists()


def test_posting_without_a_token_is_a_401(client, cameras, base):
    response = client.post(URL, json.dumps([event("VG-001", "offline", base)]), content_type="application/json")
    assert response.status_code == 401


# --- Faults for cameras left offline ----------------------------------------------------------

@pytest.fixture
def offline_at_ten(operator, cameras, base):
    """VG-001 reported offline at `base` (10:00)."""
    ingest(operator, ("VG-001", "offline", base), now=base)
    return cameras[0]


def test_no_fault_is_opened_until_the_camera_has_been_offline_longer_than_the_threshold(offline_at_ten, base):
    assert offline_faults_open(now=base + dt.timedelta(minutes=30)) == []
    assert not Fault.objects.exists()


def test_a_camera_offline_longer_than_the_threshold_gets_one_fault_however_often_the_check_runs(offline_at_ten, base):
    first = offline_faults_open(now=base + dt.timedelta(minutes=31))
    second = offline_faults_open(now=base + dt.timedelta(minutes=32))

    assert len(first) == 1 and second == []
    fault = Fault.objects.get()
    local_ten = timezone.localtime(base)
    assert (fault.camera, fault.owner, fault.source, fault.priority, fault.status) == (
        offline_at_ten, offline_at_ten.owner, FaultSource.HEALTH_FEED, FaultPriority.P2, FaultStatus.OPEN,
    )
    assert fault.summary == f"VG-001 offline since 10:00 {local_ten:%Z} on {local_ten:%a %d %b %Y}"
    assert fault.reported_at == base + dt.timedelta(minutes=31)
    assert fault.reported_by is None


def test_the_threshold_is_read_from_settings(settings, offline_at_ten, base):
    settings.HEALTH_OFFLINE_FAULT_MINUTES = 10
    assert len(offline_faults_open(now=base + dt.timedelta(minutes=11))) == 1


def test_a_late_offline_event_dates_the_outage_from_its_true_start(operator, offline_at_ten, base):
    ingest(operator, ("VG-001", "offline", base - dt.timedelta(minutes=20)), now=base)
    offline_at_ten.refresh_from_db()
    # The late event extends the current offline run back to its true start.
    assert offline_at_ten.status_changed_at == base - dt.timedelta(minutes=20)

    opened = offline_faults_open(now=base + dt.timedelta(minutes=11))

    assert len(opened) == 1
    assert "offline since 09:40" in opened[0].summary


def test_a_camera_back_online_before_the_threshold_gets_no_fault(operator, offline_at_ten, base):
    ingest(operator, ("VG-001", "online", base + dt.timedelta(minutes=20)), now=base + dt.timedelta(minutes=20))
    assert offline_faults_open(now=base + dt.timedelta(hours=2)) == []


def test_a_fault_closed_by_a_person_lets_a_new_outage_open_a_new_fault(operator, offline_at_ten, base):
    fault = offline_faults_open(now=base + dt.timedelta(minutes=31))[0]
    Fault.objects.filter(pk=fault.pk).update(status=FaultStatus.CLOSED)
    assert len(offline_faults_open(now=base + dt.timedelta(minutes=40))) == 1
    assert Fault.objects.filter(status=FaultStatus.OPEN).count() == 1


def test_coming_back_online_adds_a_note_to_the_feed_fault_and_leaves_it_open(operator, offline_at_ten, base):
    fault = offline_faults_open(now=base + dt.timedelta(minutes=31))[0]
    back = base + dt.timedelta(minutes=50)

    ingest(operator, ("VG-001", "online", back), now=back)

    fault.refresh_from_db()
    assert fault.status == FaultStatus.OPEN
    note = FaultNote.objects.get(fault=fault)
    local = timezone.localtime(back)
    assert note.text == f"Back online at 10:50 {local:%Z} on {local:%a %d %b %Y} (health feed)."
    assert note.author == operator


def test_a_late_online_event_from_before_the_outage_adds_no_note(operator, offline_at_ten, base):
    fault = offline_faults_open(now=base + dt.timedelta(minutes=31))[0]
    ingest(operator, ("VG-001", "online", base - dt.timedelta(minutes=5)), now=base + dt.timedelta(minutes=40))
    offline_at_ten.refresh_from_db()
    assert offline_at_ten.status == CameraStatus.OFFLINE
    assert not FaultNote.objects.filter(fault=fault).exists()


@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_opens_the_fault_through_a_real_worker(celery_worker):
    council = OrganisationFactory(name="Vale of Glamorgan Council", kind=OrganisationKind.COUNCIL)
    UserFactory(username="feed", organisation=council)
    two_hours_ago = timezone.now() - dt.timedelta(hours=2)
    camera = make_camera(council, "VG-050", status_at=two_hours_ago - dt.timedelta(hours=1))
    camera_status_record(camera=camera, status=CameraStatus.OFFLINE, at=two_hours_ago,
                         source=StatusSource.HEALTH_FEED)

    references = cctv.tasks_health.offline_faults_open_task.delay().get(timeout=30)

    fault = Fault.objects.get()
    assert references == [fault.reference]
    assert (fault.camera_id, fault.source) == (camera.pk, FaultSource.HEALTH_FEED)


def test_events_from_the_feed_count_in_availability(client, operator, cameras, base):
    post(client, operator, [event("VG-001", "offline", base), event("VG-001", "online", base + dt.timedelta(hours=6))])
    period = availability_period(start_at=base - dt.timedelta(hours=12), end_at=base + dt.timedelta(hours=12))
    [figure] = camera_availability(cameras=Camera.objects.filter(asset_ref="VG-001"), period=period)
    # Up 12 h before the outage and 6 h after it, of 24 h monitored.
    assert (figure.up_seconds, figure.monitored_seconds, figure.pct) == (18 * 3600, 24 * 3600, 75.0)


def run_together(*calls):
    """Run the calls on threads released at the same instant; each thread has its own DB connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_posted_twice_at_once_is_taken_once(council, contractor, operator, base):
    cameras = [make_camera(council, f"VG-{n:03d}", status_at=base - dt.timedelta(days=1)) for n in range(1, 6)]
    events = [(f"VG-{n:03d}", "offline", base + dt.timedelta(minutes=n)) for n in range(1, 6)]

    def post_batch():
        return ingest(operator, *events, now=base)

    first, second = run_together(post_batch, post_batch)

    assert sorted([first.accepted, second.accepted]) == [0, 5]
    assert sorted([first.duplicates, second.duplicates]) == [0, 5]
    assert HealthObservation.objects.count() == 5
    assert CameraStatusChange.objects.count() == len(cameras) + 5


@pytest.mark.django_db(transaction=True)
def test_two_checks_running_at_once_open_one_fault(council, contractor, operator, base):
    make_camera(council, "VG-001", status_at=base - dt.timedelta(days=1))
    ingest(operator, ("VG-001", "offline", base), now=base)
    later = base + dt.timedelta(minutes=45)

    first, second = run_together(lambda: offline_faults_open(now=later), lambda: offline_faults_open(now=later))

    assert sorted([len(first), len(second)]) == [0, 1]
    assert Fault.objects.count() == 1
