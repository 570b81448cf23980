"""The demo council's public statement: published, with the online subject access request form on.

Idempotent: an existing statement is left as the council wrote it. The fields of view published are
those of the fixed and dome cameras in the town centres, chosen by the demo council as the places
where showing exactly what is watched reassures shoppers more than it helps anyone avoid a camera.
"""

from __future__ import annotations

from accounts.models import Organisation, User
from cctv.choices import CameraKind
from cctv.models import Camera, Scheme
from cctv.services.cameras import camera_update
from cctv.services.scheme import scheme_save

DEMO_SCHEME = {
    "name": "Vale of Glamorgan public-space CCTV",
    "statement": (
        "The Council runs public-space CCTV in Barry, Penarth, Cowbridge, Llantwit Major, Dinas Powys, Rhoose, "
        "St Athan and Sully to prevent and detect crime and disorder, support the night-time economy and help "
        "keep people safe. Each camera has a stated purpose and is reviewed every year; cameras that no longer "
        "meet a pressing need are moved or removed. The scheme follows the Surveillance Camera Code of Practice."
    ),
    "controller_contact": (
        "Data Protection Officer, Vale of Glamorgan Council, Civic Offices, Holton Road, Barry CF63 4RU "
        "(dpo@vale-cctv.example)"
    ),
    "sar_instructions": (
        "You can ask for a copy of footage of yourself (a subject access request). It is free. Use the online form, "
        "or write to the Data Protection Officer, giving the date, time and place you were filmed and a description "
        "of yourself. We will ask for proof of your identity and answer within one calendar month of receiving it. "
        "Other people in the footage are blurred or blocked out."
    ),
    "published": True,
    "sar_intake_enabled": True,
}
TOWNS_WITH_VIEWS_PUBLISHED = ("Barry", "Penarth")
KINDS_WITH_VIEWS_PUBLISHED = (CameraKind.FIXED, CameraKind.DOME)


def demo_scheme_ensure(*, council: Organisation, by: User) -> tuple[Scheme, bool]:
    """The council's statement, written and published on the first run; (scheme, created)."""
    existing = Scheme.objects.filter(owner=council).first()
    if existing is not None:
        return existing, False
    scheme = scheme_save(owner=council, by=by, **DEMO_SCHEME)
    for camera in Camera.objects.filter(owner=council, town__in=TOWNS_WITH_VIEWS_PUBLISHED,
                                        kind__in=KINDS_WITH_VIEWS_PUBLISHED, publish_field_of_view=False):
        camera_update(camera=camera, by=by, reason="Field of view published on the public page",
                      publish_field_of_view=True)
    return scheme, True
