"""Local incident records and the incident list: who sees what, months in London time, filters.

Points used, with their EPSG:27700 position as PostGIS (PROJ 9.1) gives it:
  Barry    -3.27, 51.40   -> E 311748.6, N 167539.8
  Penarth  -3.169, 51.435 -> E 318836.6, N 171315.3
  Bristol  -2.59, 51.45   -> E 359097.3, N 172500.2 (outside the Vale's E 280000-330000)
"""

import datetime as dt
from datetime import date

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import OrganisationKind, Role
from accounts.exceptions import InvalidInput
from maps.choices import IncidentSource
from maps.models import Incident
from maps.services import incident_record
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.maps import maps_api_urlconf

UTC = dt.UTC
BARRY = Point(311748.6, 167539.8, srid=27700)
PENARTH = Point(318836.6, 171315.3, srid=27700)
NOW = dt.datetime(2024, 8, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def api_mounted(db, settings):
    maps_api_urlconf(settings)


def police(crime_ref: str, *, month: date = date(2024, 1, 1), category: str = "Burglary", where: Point = BARRY):
    return Incident.objects.create(source=IncidentSource.POLICE_OPEN_DATA, crime_ref=crime_ref, month=month,
                                   category=category, location=where, falls_within="South Wales Police")


def local(user, *, category: str = "Anti-social behaviour", at: dt.datetime = dt.datetime(2024, 1, 10, 21, 0,
          tzinfo=UTC), where: tuple = (-3.27, 51.40, 4326)):
    return incident_record(by=user, category=category, occurred_at=at, location=where, now=NOW)


def post(client, user, body: dict):
    client.force_login(user)
    return client.post("/api/maps/incidents", body, content_type="application/json")


def body(**overrides) -> dict:
    return {"category": "Anti-social behaviour", "occurred_at": "2024-01-10T21:00:00Z",
            "location": {"x": -3.27, "y": 51.40}, "description": "Youths throwing stones at the shelter",
            "location_text": "Holton Road bus shelter", **overrides}


@pytest.fixture
def bridgend(db):
    council = OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)
    return UserFactory(username="manager.bridgend", role=Role.CCTV_MANAGER, organisation=council)


# --- recording --------------------------------------------------------------------------------------

def test_a_cctv_manager_records_a_local_incident_for_their_council(client, cctv_manager, council):
    response = post(client, cctv_manager, body())

    assert response.status_code == 201, response.content
    incident = Incident.objects.get()
    assert (incident.source, incident.owner_id, incident.recorded_by_id) == (IncidentSource.LOCAL, council.pk,
                                                                             cctv_manager.pk)
    assert (incident.category, incident.month, incident.occurred_at) == (
        "Anti-social behaviour", date(2024, 1, 1), dt.datetime(2024, 1, 10, 21, 0, tzinfo=UTC))
    assert (round(incident.location.x, 1), round(incident.location.y, 1)) == (311748.6, 167539.8)
    out = response.json()
    assert (out["id"], out["source"], out["owner"], out["month"]) == (incident.pk, "local", council.name,
                                                                      "2024-01-01")
    assert (out["longitude"], out["latitude"], out["easting"], out["northing"]) == (-3.27, 51.4, 311748.63, 167539.82)
    assert (out["description"], out["location_text"]) == ("Youths throwing stones at the shelter",
                                                           "Holton Road bus shelter")


@pytest.mark.parametrize(("occurred_at", "month"), [
    ("2024-01-31T23:30:00Z", "2024-01-01"),  # GMT: London is UTC
    ("2024-06-30T23:30:00Z", "2024-07-01"),  # BST: 00:30 on 1 July in London
    ("2024-06-30T23:30:00", "2024-06-01"),  # no offset: taken as London time, still June
    ("2024-07-01T00:30:00+01:00", "2024-07-01"),
])
def test_the_month_of_a_local_incident_is_its_month_in_london(client, cctv_manager, occurred_at, month):
    response = post(client, cctv_manager, body(occurred_at=occurred_at))
    assert response.status_code == 201, response.content
    assert response.json()["month"] == month


def test_a_time_without_an_offset_is_stored_as_the_london_time_it_names(client, cctv_manager):
    post(client, cctv_manager, body(occurred_at="2024-06-30T23:30:00"))
    assert Incident.objects.get().occurred_at == dt.datetime(2024, 6, 30, 22, 30, tzinfo=UTC)


def test_an_incident_in_the_future_is_refused_but_a_clock_a_few_minutes_fast_is_not(cctv_manager):
    with pytest.raises(InvalidInput, match=r"occurred_at \(2024-08-01 13:06\) is in the future."):
        local(cctv_manager, at=NOW + dt.timedelta(minutes=6))
    assert local(cctv_manager, at=NOW + dt.timedelta(minutes=5)).month == date(2024, 8, 1)


@pytest.mark.parametrize(("overrides", "detail"), [
    ({"location": {"x": -2.59, "y": 51.45}}, "The location is outside the service area."),
    ({"location": {"x": 311748, "y": 167539, "srid": 3857}}, "SRID 3857 is not accepted; use one of "),
    ({"location": {"x": -3.27, "y": 151.40}}, "(-3.27, 151.4) is not a longitude/latitude pair."),
    ({"category": "   "}, "category must not be blank."),
])
def test_a_bad_local_incident_is_a_400_that_says_what_is_wrong_and_nothing_is_written(client, cctv_manager,
                                                                                      overrides, detail):
    response = post(client, cctv_manager, body(**overrides))
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert not Incident.objects.exists()


def test_a_location_in_the_national_grid_is_accepted(client, cctv_manager):
    response = post(client, cctv_manager, body(location={"x": 318836.6, "y": 171315.3, "srid": 27700}))
    assert response.status_code == 201
    out = response.json()
    assert (round(out["longitude"], 6), round(out["latitude"], 6)) == (-3.169, 51.435)  # to 0.1 m, as given


def test_a_category_typed_differently_joins_the_police_category(cctv_manager):
    assert local(cctv_manager, category="  anti-social   BEHAVIOUR ").category == "Anti-social behaviour"
    assert local(cctv_manager, category="Graffiti").category == "Graffiti"


@pytest.mark.parametrize(("role", "status_code"), [
    (Role.CCTV_MANAGER, 201), (Role.ADMIN, 400), (Role.OPERATOR, 403), (Role.OG_MEMBER, 403),
    (Role.POLICE_REQUESTER, 403), (Role.ENGINEER, 403), (Role.AUDITOR, 403),
])
def test_who_may_record_a_local_incident(client, people, role, status_code):
    response = post(client, people[role], body())
    assert response.status_code == status_code
    if status_code == 403:
        assert response.json() == {"detail": "Your role may not record incidents."}
    if role == Role.ADMIN:  # may, but belongs to no council to record it for
        assert response.json()["detail"].startswith("Only a council's user can record incidents")


def test_the_role_is_checked_before_the_location(client, officer):
    assert post(client, officer, body(location={"x": -2.59, "y": 51.45})).status_code == 403


# --- changing -----------------------------------------------------------------------------------------

def test_a_local_incident_is_changed_and_its_month_follows_its_time(client, cctv_manager):
    incident = local(cctv_manager)
    client.force_login(cctv_manager)
    response = client.patch(f"/api/maps/incidents/{incident.pk}", {
        "category": "Criminal damage and arson", "occurred_at": "2024-03-31T23:30:00Z",
        "location": {"x": -3.169, "y": 51.435}, "outcome": "Referred to the housing officer",
    }, content_type="application/json")

    assert response.status_code == 200, response.content
    incident.refresh_from_db()
    assert (incident.category, incident.month, incident.outcome) == (
        "Criminal damage and arson", date(2024, 4, 1), "Referred to the housing officer")  # 00:30 BST, 1 April
    assert (round(incident.location.x, 1), round(incident.location.y, 1)) == (318836.6, 171315.3)
    assert incident.description == "" and incident.source == IncidentSource.LOCAL


def test_police_open_data_cannot_be_edited_here(client, cctv_manager):
    incident = police("a" * 64)
    client.force_login(cctv_manager)
    response = client.patch(f"/api/maps/incidents/{incident.pk}", {"outcome": "Solved"},
                            content_type="application/json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Police open data is changed by importing the police's file")


def test_another_councils_record_is_not_found_and_a_police_officer_may_not_change_a_record(client, cctv_manager,
                                                                                         bridgend, officer):
    theirs = local(bridgend, where=(-3.27, 51.40, 4326))
    ours = local(cctv_manager)
    client.force_login(cctv_manager)
    assert client.patch(f"/api/maps/incidents/{theirs.pk}", {"outcome": "x"},
                        content_type="application/json").status_code == 404
    client.force_login(officer)
    response = client.patch(f"/api/maps/incidents/{ours.pk}", {"outcome": "x"}, content_type="application/json")
    assert (response.status_code, response.json()) == (403, {"detail": "Your role may not change incidents."})
    ours.refresh_from_db()
    assert ours.outcome == ""


def test_a_location_or_category_cannot_be_removed(client, cctv_manager):
    incident = local(cctv_manager)
    client.force_login(cctv_manager)
    for field in ("location", "category"):
        response = client.patch(f"/api/maps/incidents/{incident.pk}", {field: None}, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["detail"].startswith(field)


# --- who sees what ------------------------------------------------------------------------------------

def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize("role", [Role.CCTV_MANAGER, Role.OPERATOR, Role.OG_MEMBER, Role.POLICE_REQUESTER,
                                  Role.ENGINEER, Role.AUDITOR, Role.ADMIN])
def test_everyone_who_sees_the_map_lists_police_data_and_the_local_records_shared_with_them(client, people, role):
    open_data = police("a" * 64)
    record = local(people[Role.CCTV_MANAGER])
    client.force_login(people[role])
    assert sorted(ids(client.get("/api/maps/incidents"))) == [open_data.pk, record.pk]


def test_police_of_a_force_the_council_does_not_share_with_list_only_police_data(client, officer_other_force,
                                                                                 cctv_manager):
    open_data = police("a" * 64)
    local(cctv_manager)
    client.force_login(officer_other_force)
    assert ids(client.get("/api/maps/incidents")) == [open_data.pk]


def test_another_councils_local_records_are_not_listed_or_found(client, cctv_manager, bridgend):
    theirs = local(bridgend)
    client.force_login(cctv_manager)
    assert ids(client.get("/api/maps/incidents")) == []
    assert client.get(f"/api/maps/incidents/{theirs.pk}").status_code == 404


def test_listing_incidents_needs_a_signed_in_user(client):
    assert client.get("/api/maps/incidents").status_code == 401


# --- filters and pages --------------------------------------------------------------------------------

@pytest.fixture
def months(db):
    """Burglary in Barry in November, December and January; ASB in Penarth in December."""
    return {
        "nov": police("1" * 64, month=date(2023, 11, 1)),
        "dec": police("2" * 64, month=date(2023, 12, 1)),
        "dec_asb": police("", month=date(2023, 12, 1), category="Anti-social behaviour", where=PENARTH),
        "jan": police("3" * 64, month=date(2024, 1, 1)),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ["jan", "dec", "dec_asb", "nov"]),  # newest month first, then as recorded
    ({"month_from": "2023-12"}, ["jan", "dec", "dec_asb"]),
    ({"month_to": "2023-12"}, ["dec", "dec_asb", "nov"]),
    ({"month_from": "2023-12", "month_to": "2023-12"}, ["dec", "dec_asb"]),
    ({"category": "anti-social behaviour"}, ["dec_asb"]),
    ({"source": "police_open_data", "month_from": "2024-01"}, ["jan"]),
    ({"source": "local"}, []),
    # A box around Penarth only (Barry is 7 km to the south-west).
    ({"bbox": "-3.18,51.43,-3.16,51.44"}, ["dec_asb"]),
    ({"bbox": "-3.30,51.38,-3.10,51.46"}, ["jan", "dec", "dec_asb", "nov"]),
    ({"bbox": "-180,-90,180,90"}, ["jan", "dec", "dec_asb", "nov"]),  # the whole world, as a zoomed-out map asks
    ({"bbox": "100,-50,120,-40"}, []),  # nowhere near the national grid
])
def test_incidents_are_filtered_by_month_category_source_and_box(client, cctv_manager, months, query, expected):
    client.force_login(cctv_manager)
    assert ids(client.get("/api/maps/incidents", query)) == [months[name].pk for name in expected]


@pytest.mark.parametrize(("query", "detail"), [
    ({"month_from": "Jan 2024"}, "month_from must be a month written YYYY-MM, like 2024-01; not 'Jan 2024'."),
    ({"month_to": "2024-13"}, "month_to must be a month written YYYY-MM, like 2024-01; not '2024-13'."),
    ({"month_from": "2024-02", "month_to": "2024-01"}, "month_from is after month_to."),
    ({"bbox": "1,2,3"}, "bbox must be four numbers: min_lon,min_lat,max_lon,max_lat."),
    ({"bbox": "-3.1,51.4,-3.2,51.5"}, "bbox is min_lon,min_lat,max_lon,max_lat in degrees, with min < max."),
    ({"source": "twitter"}, "Unknown source 'twitter'; use one of police_open_data, local, generated."),
])
def test_a_bad_filter_is_a_400_that_says_what_is_wrong(client, cctv_manager, query, detail):
    client.force_login(cctv_manager)
    response = client.get("/api/maps/incidents", query)
    assert (response.status_code, response.json()) == (400, {"detail": detail})


def test_incidents_come_a_page_at_a_time(client, cctv_manager, months):
    client.force_login(cctv_manager)
    page = client.get("/api/maps/incidents", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 4
    assert [item["id"] for item in page["items"]] == [months["dec"].pk, months["dec_asb"].pk]


def test_the_list_costs_the_same_queries_for_three_incidents_as_for_thirty(client, cctv_manager):
    client.force_login(cctv_manager)
    client.get("/api/maps/incidents")  # the session's activity stamp is written on the first request only

    def queries_for(n: int) -> int:
        Incident.objects.all().delete()
        for i in range(n):
            local(cctv_manager) if i % 2 else police(f"{i:064d}")
        with CaptureQueriesContext(connection) as captured:
            assert len(ids(client.get("/api/maps/incidents"))) == n
        return len(captured)

    # Session, user, the organisations that share with the council, count, page.
    assert queries_for(3) == queries_for(30) <= 5


def test_a_manager_records_an_incident_from_the_page(client, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post("/incidents/new/", {
        "category": "Anti-social behaviour", "occurred_at": "2026-10-03T23:10", "longitude": -3.2727,
        "latitude": 51.3915, "location_text": "Whitmore Bay promenade", "description": "Group throwing bottles",
    })
    assert response.status_code == 302
    incident = Incident.objects.get(location_text="Whitmore Bay promenade")
    assert (incident.owner, incident.month.isoformat(), incident.recorded_by) == (
        cctv_manager.organisation, "2026-10-01", cctv_manager)


def test_the_page_refuses_a_place_outside_the_area_and_police(client, cctv_manager, officer):
    client.force_login(cctv_manager)
    response = client.post("/incidents/new/", {"category": "Burglary", "occurred_at": "2026-10-03T23:10",
                                               "longitude": -2.28, "latitude": 53.46})
    assert response.status_code == 400 and "outside the service area" in response.content.decode()
    assert not Incident.objects.filter(category="Burglary").exists()
    client.force_login(officer)
    assert client.get("/incidents/new/").status_code == 403
