"""The 84 camera sites of the Vale demo estate, as data (DESIGN.md section 6).

Positions: every camera stands on the point of a real street-level crime record in the Vale of
Glamorgan, copied here from data.police.uk street-level crime, January 2024 (South Wales Police),
Contains public sector information licensed under the Open Government Licence v3.0. `anchor` is
that record's Location ("On or near ...") and `lon`/`lat` its coordinates, unchanged. Where the
place a camera is named after has no record of its own (the promenades, The Common), `offset_m`
moves it that many metres east and north of the nearest record, to the place named; the offset
is applied on the British National Grid by cctv.demo.load.

The places are real; the camera list itself is illustrative (DESIGN.md section 6): the 78 cameras
of the 2020-23 upgrade (two of them relocated in it) and the 6 new installs "in areas where
intelligence proved a need" (Safer Vale Partnership Strategy 2023-2028, CCTV Operational Group).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cctv.choices import CameraKind

FIXED, PTZ, DOME, ANPR = CameraKind.FIXED, CameraKind.PTZ, CameraKind.DOME, CameraKind.ANPR
# The anchors of the two promenades, which have no crime record on the sea wall itself.
BARRY_ISLAND_STATION = ("On or near Barry Tourist Railway", -3.275632, 51.392342)
PENARTH_GLADES = ("On or near The Glades", -3.168888, 51.435916)
DINAS_POWYS_SQUARE = ("On or near The Square", -3.219332, 51.434458)


@dataclass(frozen=True)
class Relocation:
    """A move made during the upgrade: the camera stood `from_offset_m` (east, north) from where it is now."""

    from_offset_m: tuple[float, float]
    relocated_on: dt.date
    reason: str


@dataclass(frozen=True)
class Site:
    asset_ref: str
    name: str
    town: str
    ward: str
    anchor: str
    lon: float
    lat: float
    kind: str
    bearing_deg: float
    purpose: str
    offset_m: tuple[float, float] = (0.0, 0.0)
    new_install: bool = False
    relocation: Relocation | None = None
    retention_days: int = 31


def _site(n: int, name: str, town: str, ward: str, anchor: tuple[str, float, float], kind: str,
          bearing_deg: float, purpose: str, **extra) -> Site:
    place, lon, lat = anchor
    return Site(f"VOG-{n:03d}", name, town, ward, place, lon, lat, kind, bearing_deg, purpose, **extra)


def _at(street: str, lon: float, lat: float) -> tuple[str, float, float]:
    return (f"On or near {street}", lon, lat)


SITES: tuple[Site, ...] = (
    # Barry: King Square, Holton Road and Thompson Street (the town centre)
    _site(1, "King Square (Civic Offices)", "Barry", "Court", _at("Parking Area", -3.266428, 51.407225), PTZ, 200,
          "Town centre public safety and the night-time economy around King Square and the Civic Offices."),
    _site(2, "King Square (Holton Road junction)", "Barry", "Court", _at("Parking Area", -3.266428, 51.407225),
          FIXED, 120, "Pedestrian approach from King Square into Holton Road; weekend dispersal.",
          offset_m=(35.0, -30.0)),
    _site(3, "Holton Road (near Evelyn Street)", "Barry", "Castleland", _at("Evelyn Street", -3.264093, 51.407538),
          PTZ, 110, "Night-time economy, Holton Road licensed premises."),
    _site(4, "Holton Road (central)", "Barry", "Castleland", _at("Holton Road", -3.262050, 51.406966), PTZ, 95,
          "Shop theft and retail crime on the Holton Road shopping street, with the retailers' radio scheme."),
    _site(5, "Holton Road car park", "Barry", "Castleland", _at("Parking Area", -3.263214, 51.406954), FIXED, 180,
          "Vehicle crime and anti-social behaviour in the Holton Road pay-and-display car park."),
    _site(6, "Holton Road (near Lower Guthrie Street)", "Barry", "Castleland",
          _at("Lower Guthrie Street", -3.259814, 51.407215), PTZ, 260,
          "Night-time economy, Holton Road east licensed premises and takeaways."),
    _site(7, "Holton Road (near Jewel Street)", "Barry", "Castleland", _at("Jewel Street", -3.259367, 51.406123),
          FIXED, 300, "Retail frontage and cash machines on lower Holton Road."),
    _site(8, "Holton Road (near Cyril Street)", "Barry", "Castleland", _at("Cyril Street", -3.258670, 51.405879),
          DOME, 70, "Street drinking and anti-social behaviour at the Cyril Street corner."),
    _site(9, "Holton Road (near Robert Street)", "Barry", "Castleland", _at("Robert Street", -3.257043, 51.407875),
          FIXED, 230, "Approach to Holton Road from the Court Road side; late-night taxi pick-up."),
    _site(10, "Holton Road (near Llantwit Street)", "Barry", "Castleland",
          _at("Llantwit Street", -3.265557, 51.405886), PTZ, 45,
          "Town centre public safety between Holton Road and Thompson Street."),
    _site(11, "Thompson Street", "Barry", "Castleland", _at("Thompson Street", -3.268800, 51.404115), PTZ, 20,
          "Thompson Street shops and the walking route to Barry Docks station."),
    _site(12, "Thompson Street (near Greenwood Street)", "Barry", "Castleland",
          _at("Greenwood Street", -3.270465, 51.404007), FIXED, 90,
          "Anti-social behaviour reported by residents at the Greenwood Street junction."),
    _site(13, "Barry town centre precinct", "Barry", "Castleland", _at("Shopping Area", -3.268592, 51.405890), PTZ, 0,
          "Town centre public safety in the shopping precinct.",
          relocation=Relocation((-22.0, 18.0), dt.date(2021, 9, 14),
                                "Moved 28 m to a new column clear of the precinct's new canopy, which blocked the "
                                "view of the square (upgrade programme survey).")),
    _site(14, "Barry town centre precinct (west)", "Barry", "Castleland",
          _at("Shopping Area", -3.269155, 51.405705), DOME, 250,
          "Shop doorways and cash machines in the west of the precinct."),
    _site(15, "Station Street (Barry Docks station)", "Barry", "Castleland",
          _at("Station Street", -3.263455, 51.404209), FIXED, 160, "Barry Docks station forecourt and bus stops."),
    # Barry Docks and the Waterfront
    _site(16, "Ffordd y Mileniwm (Waterfront)", "Barry", "Castleland",
          _at("Ffordd Y Mileniwm", -3.265182, 51.400620), PTZ, 90,
          "Barry Waterfront: public safety on the main Waterfront road and the Innovation Quarter."),
    _site(17, "Cei Dafydd (Waterfront)", "Barry", "Castleland", _at("Cei Dafydd", -3.264107, 51.400236), FIXED, 140,
          "Quayside walk: water safety and anti-social behaviour at Cei Dafydd."),
    _site(18, "Glanfa Dafydd (Waterfront)", "Barry", "Castleland", _at("Glanfa Dafydd", -3.265414, 51.400186),
          FIXED, 220, "Residential quayside: vehicle crime and criminal damage."),
    _site(19, "Waterfront retail park", "Barry", "Baruc", _at("Shopping Area", -3.270011, 51.401769), PTZ, 300,
          "Retail crime and car park safety at the Waterfront retail park."),
    _site(20, "Waterfront supermarket car park", "Barry", "Baruc", _at("Supermarket", -3.272367, 51.402071), FIXED,
          45, "Vehicle crime in the shared supermarket car park (14-day retention agreed with the landowner).",
          retention_days=14),
    _site(21, "Heol y Llongau (Waterfront)", "Barry", "Castleland", _at("Heol Y Llongau", -3.267429, 51.401828),
          DOME, 10, "Bus stops and the footpath from the Waterfront to Thompson Street."),
    _site(22, "Dock View Road", "Barry", "Castleland", _at("Dock View Road", -3.260020, 51.404246), FIXED, 200,
          "Dock View Road approach to the docks and lower Holton Road."),
    _site(23, "Queens Way (Barry Docks)", "Barry", "Castleland", _at("Queens Way", -3.260040, 51.397663), FIXED, 270,
          "Installed 2022 where intelligence showed a need: vehicle crime and off-road bikes on the Queens Way "
          "dock road.", new_install=True),
    _site(24, "Subway Road", "Barry", "Castleland", _at("Subway Road", -3.264203, 51.401620), FIXED, 20,
          "Subway Road link between the Waterfront and the town centre."),
    # Barry: High Street and Broad Street
    _site(25, "High Street, Barry", "Barry", "Baruc", _at("High Street", -3.281765, 51.400899), PTZ, 135,
          "Night-time economy, High Street licensed premises."),
    _site(26, "Broad Street", "Barry", "Baruc", _at("Hood Road", -3.279268, 51.399514), PTZ, 300,
          "Broad Street shops and the route to Barry station."),
    _site(27, "Broad Street (night-time economy)", "Barry", "Baruc", _at("Nightclub", -3.283371, 51.399434), PTZ, 60,
          "Night-time economy, Broad Street late licences and the taxi rank."),
    _site(28, "Market Street", "Barry", "Baruc", _at("Market Street", -3.284809, 51.399238), FIXED, 90,
          "Market Street public safety; dispersal from Broad Street."),
    _site(29, "Queen Street", "Barry", "Baruc", _at("Queen Street", -3.283749, 51.400409), DOME, 180,
          "Queen Street shops and the car park entrance."),
    # Barry Island: Whitmore Bay
    _site(30, "Whitmore Bay promenade (west)", "Barry", "Baruc", BARRY_ISLAND_STATION, PTZ, 160,
          "Seafront public safety, Whitmore Bay promenade.", offset_m=(150.0, -110.0),
          relocation=Relocation((25.0, 34.0), dt.date(2022, 3, 8),
                                "Moved 42 m from the old shelter wall, demolished in the promenade works, to a new "
                                "column with a clear view of the beach.")),
    _site(31, "Whitmore Bay promenade (central)", "Barry", "Baruc", BARRY_ISLAND_STATION, PTZ, 180,
          "Seafront public safety, Whitmore Bay: missing children and disorder on busy beach days.",
          offset_m=(320.0, -140.0)),
    _site(32, "Whitmore Bay promenade (east)", "Barry", "Baruc", BARRY_ISLAND_STATION, FIXED, 220,
          "Seafront public safety at the eastern promenade and the lifeguard post.", offset_m=(480.0, -110.0)),
    _site(33, "Barry Island station approach", "Barry", "Baruc", BARRY_ISLAND_STATION, FIXED, 150,
          "Barry Island station and the coach drop-off on busy summer days.", offset_m=(0.0, 25.0)),
    _site(34, "Nell's Point (Breaksea Drive)", "Barry", "Baruc", _at("Breaksea Drive", -3.269902, 51.393025), FIXED,
          200, "Nell's Point car park: anti-social driving and vehicle crime."),
    _site(35, "Barry Island, Ger-y-Môr", "Barry", "Baruc", _at("Ger-Y-Môr", -3.267544, 51.394048), DOME, 300,
          "Residential approach to Nell's Point: criminal damage."),
    _site(36, "Barry Island, Pioden For", "Barry", "Baruc", _at("Pioden For", -3.268234, 51.389869), FIXED, 240,
          "Headland footpath above Jackson's Bay: water safety and anti-social behaviour."),
    # Barry: Cadoxton, Court and Port Road
    _site(37, "Vere Street, Cadoxton", "Barry", "Cadoc", _at("Vere Street", -3.251270, 51.411839), PTZ, 80,
          "Cadoxton shops: anti-social behaviour and shop theft."),
    _site(38, "Main Street, Cadoxton", "Barry", "Cadoc", _at("Main Street", -3.254105, 51.413490), FIXED, 30,
          "Main Street shops and the route to Cadoxton station."),
    _site(39, "Courtenay Road, Cadoxton", "Barry", "Cadoc", _at("Courtenay Road", -3.253990, 51.410866), DOME, 150,
          "Courtenay Road play area and footpath: anti-social behaviour."),
    _site(40, "Quarella Street, Cadoxton", "Barry", "Cadoc", _at("Quarella Street", -3.253287, 51.412492), FIXED,
          270, "Quarella Street junction: vehicle crime."),
    _site(41, "Cadoxton filling station", "Barry", "Cadoc", _at("Petrol Station", -3.236371, 51.413355), FIXED, 210,
          "Installed 2023 where intelligence showed a need: drive-offs and anti-social behaviour on the filling "
          "station forecourt.", new_install=True),
    _site(42, "Gladstone Road (Barry Police Station)", "Barry", "Court", _at("Police Station", -3.261303, 51.410659),
          FIXED, 250, "Police station frontage and the Gladstone Road public space."),
    _site(43, "Court Road", "Barry", "Court", _at("Court Road", -3.260784, 51.411134), FIXED, 10,
          "Court Road junction with Gladstone Road."),
    _site(44, "A4050 Port Road (ANPR)", "Barry", "Illtyd", _at("A4050", -3.281969, 51.408719), ANPR, 80,
          "Number-plate recognition on the A4050 Port Road approach to Barry, for South Wales Police "
          "(vehicle-related crime)."),
    _site(45, "Colcot Road shops", "Barry", "Illtyd", _at("Colcot Road", -3.283419, 51.413263), FIXED, 170,
          "Colcot shopping parade: anti-social behaviour reported by traders."),
    # Penarth: Windsor Road, Albert Road, the Esplanade and the marina
    _site(46, "Windsor Road", "Penarth", "St Augustine's", _at("Windsor Road", -3.181951, 51.441495), PTZ, 135,
          "Penarth town centre: Windsor Road shops and licensed premises."),
    _site(47, "Windsor Road (Windsor Place)", "Penarth", "St Augustine's",
          _at("Windsor Place", -3.178330, 51.440003), PTZ, 300,
          "Night-time economy, Windsor Road and Windsor Place restaurants and bars."),
    _site(48, "Windsor Lane", "Penarth", "St Augustine's", _at("Windsor Lane", -3.180099, 51.441073), FIXED, 120,
          "Service lane behind Windsor Road: burglary and criminal damage to shops."),
    _site(49, "High Street, Penarth", "Penarth", "St Augustine's", _at("High Street", -3.177811, 51.441635), FIXED,
          90, "High Street shops and bus stops."),
    _site(50, "Plassey Street", "Penarth", "St Augustine's", _at("Plassey Street", -3.177883, 51.441068), DOME, 200,
          "Plassey Street junction and the shopping arcade."),
    _site(51, "Ludlow Street", "Penarth", "St Augustine's", _at("Ludlow Street", -3.176130, 51.440052), FIXED, 45,
          "Installed 2022 where intelligence showed a need: anti-social behaviour around Ludlow Street.",
          new_install=True),
    _site(52, "Albert Road (Herbert Terrace)", "Penarth", "Plymouth", _at("Herbert Terrace", -3.173909, 51.437601),
          PTZ, 180, "Albert Road and the station approach."),
    _site(53, "Penarth station (Station Approach)", "Penarth", "Plymouth",
          _at("Station Approach", -3.175298, 51.435672), FIXED, 20, "Station forecourt and taxi rank."),
    _site(54, "Stanwell Road", "Penarth", "Stanwell", _at("Stanwell Road", -3.180656, 51.435888), FIXED, 60,
          "Stanwell Road shops and the pedestrian crossing."),
    _site(55, "The Esplanade (pier)", "Penarth", "Plymouth", PENARTH_GLADES, PTZ, 100,
          "Seafront public safety on the Esplanade and at the pier.", offset_m=(120.0, -180.0)),
    _site(56, "The Esplanade (south)", "Penarth", "Plymouth", PENARTH_GLADES, PTZ, 150,
          "Seafront public safety: Esplanade gardens and the slipway.", offset_m=(40.0, -330.0)),
    _site(57, "Tower Hill (Esplanade approach)", "Penarth", "Plymouth", _at("Tower Hill", -3.172125, 51.432539),
          FIXED, 100, "Hill approach to the Esplanade: dispersal from the seafront."),
    _site(58, "Penarth Marina (The Landings)", "Penarth", "St Augustine's", _at("The Landings", -3.181833, 51.444715),
          PTZ, 30, "Marina public safety and the barrage walkway."),
    _site(59, "Penarth Marina (Pierhead View)", "Penarth", "St Augustine's",
          _at("Pierhead View", -3.182195, 51.446474), FIXED, 40,
          "Marina lock gates and boat storage (28-day retention, agreed with the marina operator).",
          retention_days=28),
    _site(60, "Penarth Marina (Northcliffe Drive)", "Penarth", "St Augustine's",
          _at("Northcliffe Drive", -3.169651, 51.444388), FIXED, 300, "Northcliffe Drive car parks: vehicle crime."),
    _site(61, "A4055 Cogan (ANPR)", "Penarth", "Cornerswell", _at("A4055", -3.190087, 51.447824), ANPR, 20,
          "Number-plate recognition on the A4055 approach to Penarth from Cardiff, for South Wales Police."),
    # Cowbridge
    _site(62, "High Street, Cowbridge (Town Hall)", "Cowbridge", "Cowbridge", _at("A4222", -3.448746, 51.462006),
          PTZ, 270, "Cowbridge High Street: night-time economy around the Town Hall."),
    _site(63, "High Street (Church Street), Cowbridge", "Cowbridge", "Cowbridge",
          _at("Church Street", -3.449912, 51.461533), FIXED, 90, "Church Street junction and High Street shops."),
    _site(64, "Cowbridge town car park", "Cowbridge", "Cowbridge", _at("Parking Area", -3.451681, 51.462410), FIXED,
          180, "Town car park: vehicle crime."),
    _site(65, "High Street, Cowbridge (east)", "Cowbridge", "Cowbridge", _at("Cae Stumpie", -3.444565, 51.459522),
          FIXED, 280, "Eastern High Street and the bus stops."),
    # Llantwit Major
    _site(66, "Llantwit Major town centre (Church Street)", "Llantwit Major", "Llantwit Major",
          _at("Church Street", -3.486671, 51.408180), PTZ, 45,
          "Town centre public safety around the Town Hall and Church Street."),
    _site(67, "Durell Street, Llantwit Major", "Llantwit Major", "Llantwit Major",
          _at("Durell Street", -3.484696, 51.408925), FIXED, 250, "Shops and takeaways: anti-social behaviour."),
    _site(68, "Llantwit Major town car park", "Llantwit Major", "Llantwit Major",
          _at("Parking Area", -3.482306, 51.409692), FIXED, 200, "Town car park: vehicle crime."),
    _site(69, "Llantwit Major station (Cowbridge Road)", "Llantwit Major", "Llantwit Major",
          _at("Cowbridge Road", -3.488545, 51.415413), FIXED, 160, "Station and the Cowbridge Road bus stops."),
    _site(70, "Boverton Road (near Nordale Road)", "Llantwit Major", "Llantwit Major",
          _at("Nordale Road", -3.474894, 51.407691), PTZ, 270,
          "Installed 2023 where intelligence showed a need: youth disorder and anti-social behaviour on Boverton "
          "Road.", new_install=True),
    _site(71, "Boverton Road (west)", "Llantwit Major", "Llantwit Major",
          _at("Le Pouliguen Close", -3.479952, 51.408490), FIXED, 90, "Boverton Road shops."),
    # Dinas Powys
    _site(72, "The Square, Dinas Powys", "Dinas Powys", "Dinas Powys", DINAS_POWYS_SQUARE, PTZ, 180,
          "Village centre: shops and licensed premises around The Square."),
    _site(73, "The Common, Dinas Powys", "Dinas Powys", "Dinas Powys", DINAS_POWYS_SQUARE, FIXED, 200,
          "The Common: anti-social behaviour reported by residents.", offset_m=(-80.0, -160.0)),
    _site(74, "Cardiff Road (Chapel Row), Dinas Powys", "Dinas Powys", "Dinas Powys",
          _at("Chapel Row", -3.207702, 51.438049), FIXED, 45, "Cardiff Road: vehicle crime and the bus stops."),
    _site(75, "Cardiff Road (Eastbrook), Dinas Powys", "Dinas Powys", "Dinas Powys",
          _at("Eastbrook", -3.206134, 51.438038), FIXED, 300, "Eastbrook station and the Cardiff Road bus stops."),
    # Rhoose
    _site(76, "Fontygary Road (shops), Rhoose", "Rhoose", "Rhoose", _at("Fontygary Road", -3.351261, 51.388824), PTZ,
          200, "Fontygary Road shops and the route to the coast path."),
    _site(77, "Fontygary Road (west), Rhoose", "Rhoose", "Rhoose", _at("Fontygary Road", -3.354122, 51.388359),
          FIXED, 260, "Installed 2022 where intelligence showed a need: anti-social behaviour by the parade.",
          new_install=True),
    _site(78, "Rhoose station (Station Road)", "Rhoose", "Rhoose", _at("Station Road", -3.348275, 51.388444), FIXED,
          60, "Station car park and the airport bus stop (28-day retention, shared with the rail operator).",
          retention_days=28),
    # St Athan
    _site(79, "St Athan village (Rectory Road)", "St Athan", "St Athan", _at("Rectory Road", -3.416090, 51.403129),
          PTZ, 0, "Village centre shops and the bus stops."),
    _site(80, "Gileston Road, St Athan", "St Athan", "St Athan", _at("Gileston Road", -3.413617, 51.397988), FIXED,
          180, "Gileston Road junction: vehicle crime."),
    _site(81, "Boiler House Road (aerospace park), St Athan", "St Athan", "St Athan",
          _at("Boiler House Road", -3.405643, 51.387365), FIXED, 300,
          "Installed 2023 where intelligence showed a need: metal theft and trespass at the aerospace business park "
          "gate (4G link: no fibre nearby).", new_install=True),
    # Sully
    _site(82, "Minehead Avenue, Sully", "Sully", "Sully", _at("Minehead Avenue", -3.218363, 51.406125), PTZ, 90,
          "Village centre shops and the bus stops."),
    _site(83, "Swanbridge Grove, Sully", "Sully", "Sully", _at("Swanbridge Grove", -3.205186, 51.404238), FIXED, 180,
          "Swanbridge: anti-social behaviour and the coast car park."),
    _site(84, "Bridgewater Road, Sully", "Sully", "Sully", _at("Bridgewater Road", -3.213627, 51.409717), FIXED, 0,
          "Bridgewater Road junction: vehicle crime."),
)

# The areas of the upgrade programme, in the order they were done, with the months each took.
UPGRADE_PHASES: dict[str, tuple[dt.date, dt.date]] = {
    "Barry": (dt.date(2020, 10, 5), dt.date(2021, 12, 17)),
    "Penarth": (dt.date(2022, 1, 10), dt.date(2022, 6, 30)),
    "Dinas Powys": (dt.date(2022, 5, 9), dt.date(2022, 7, 29)),
    "Sully": (dt.date(2022, 5, 9), dt.date(2022, 7, 29)),
    "Cowbridge": (dt.date(2022, 8, 1), dt.date(2022, 11, 25)),
    "Llantwit Major": (dt.date(2022, 9, 5), dt.date(2023, 1, 27)),
    "St Athan": (dt.date(2022, 11, 7), dt.date(2023, 2, 24)),
    "Rhoose": (dt.date(2022, 11, 7), dt.date(2023, 3, 24)),
}
NEW_INSTALL_WINDOW = (dt.date(2022, 4, 1), dt.date(2023, 9, 29))
# When the cameras the programme upgraded were first put up.
ORIGINAL_INSTALL_WINDOW = (dt.date(2003, 4, 1), dt.date(2016, 3, 31))

# make, model by camera kind; one supplier per lot of the programme (new installs: the Barry lot's).
# Both ANPR cameras are the same licence-plate model, whichever lot they stand in.
MODELS: dict[str, dict[str, tuple[str, str]]] = {
    "axis": {PTZ: ("Axis", "Q6135-LE"), FIXED: ("Axis", "P1465-LE"), DOME: ("Axis", "P3265-LVE")},
    "hanwha": {PTZ: ("Hanwha Vision", "XNP-6400RW"), FIXED: ("Hanwha Vision", "XNO-6080R"),
               DOME: ("Hanwha Vision", "XND-6080RV")},
    "bosch": {PTZ: ("Bosch", "AUTODOME IP starlight 7000i"), FIXED: ("Bosch", "DINION IP bullet 6000i"),
              DOME: ("Bosch", "FLEXIDOME IP starlight 8000i")},
}
ANPR_MODEL = ("Axis", "Q1700-LE")
SUPPLIER_BY_TOWN = {"Barry": "axis", "Penarth": "hanwha", "Dinas Powys": "hanwha", "Sully": "hanwha",
                    "Cowbridge": "bosch", "Llantwit Major": "bosch", "St Athan": "bosch", "Rhoose": "bosch"}
# One DPIA per area, reviewed every year; St Athan's and Rhoose's reviews are overdue at `today`.
DPIA_AREA_CODE = {"Barry": "BRY", "Penarth": "PEN", "Dinas Powys": "DPS", "Sully": "SUL", "Cowbridge": "COW",
                  "Llantwit Major": "LLW", "St Athan": "STA", "Rhoose": "RHO"}
DPIA_REVIEW_DUE_IN_DAYS = {"Barry": 140, "Penarth": 61, "Dinas Powys": 203, "Sully": 203, "Cowbridge": 250,
                           "Llantwit Major": 24, "St Athan": -35, "Rhoose": -12}
# Cameras put up after the signage order went in: signs on order.
AWAITING_SIGNAGE = frozenset({"VOG-077", "VOG-081"})
PRIVACY_MASKS = {
    "VOG-003": "Masks over the first-floor windows of the flats above the shops on the north side.",
    "VOG-008": "Mask over the ground-floor window of the house on the Cyril Street corner.",
    "VOG-012": "Masks over the front windows of the terraced houses on Greenwood Street.",
    "VOG-035": "Masks over the bedroom windows of the flats facing the camera.",
    "VOG-047": "Masks over the windows of the flats above the Windsor Place restaurants.",
    "VOG-073": "Masks over the gardens of the houses backing on to The Common.",
}
