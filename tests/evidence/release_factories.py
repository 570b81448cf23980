"""Arranging a request that is ready to be bundled and released, for the bundle and release tests.

`exported_request` writes, through the real custody service, the events such a request has
by then (created, accepted, searching, footage found, exported, one 'hashed' per exhibit) at
fixed times, one in GMT and one in BST, so the continuity statement can be checked by hand.
Its two exhibits: OP/1, a master footage export from camera VOG-004, and OP/2, a working
copy still derived from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from cctv.models import Camera
from evidence.choices import CustodyEventType, ExhibitKind, RequestState
from evidence.custody import custody_event_append
from evidence.models import EvidenceRequest, Exhibit, ReleaseBundle
from tests.cctv.factories import CameraFactory
from tests.evidence.factories import EvidenceRequestFactory, ExhibitFactory

UTC = dt.UTC
FOOTAGE = bytes(range(256)) * 40 + b"end of footage\n"  # 10,255 bytes
STILL = b"\xff\xd8\xff\xe0 a still, not really a JPEG \xff\xd9"


@dataclass
class Arranged:
    request: EvidenceRequest
    footage: Exhibit
    still: Exhibit


def exported_request(*, owner, requester, operator, state: str = RequestState.EXPORTED, **fields) -> Arranged:
    request = EvidenceRequestFactory(
        owner=owner, requester=requester, state=state, reference=fields.pop("reference", "ER-2026-00042"),
        crime_reference="62/00042/26",
        incident_starts_at=dt.datetime(2026, 3, 13, 21, 0, tzinfo=UTC),
        incident_ends_at=dt.datetime(2026, 3, 13, 22, 0, tzinfo=UTC),
        received_at=dt.datetime(2026, 3, 14, 9, 0, tzinfo=UTC), **fields,
    )
    camera = Camera.objects.filter(owner=owner, asset_ref="VOG-004").first() or CameraFactory(owner=owner,
                                                                                              asset_ref="VOG-004")
    footage = ExhibitFactory(
        request=request, reference="OP/1", content=FOOTAGE, camera=camera, created_by=operator,
        file=ContentFile(FOOTAGE, name="export.mp4"), original_filename="VOG-004 2026-03-13 2100.MP4",
        recorded_from=dt.datetime(2026, 3, 13, 21, 0, tzinfo=UTC),
        recorded_to=dt.datetime(2026, 3, 13, 21, 30, tzinfo=UTC),
    )
    still = ExhibitFactory(
        request=request, reference="OP/2", kind=ExhibitKind.STILL, is_master_copy=False, content=STILL,
        derived_from=footage, created_by=operator, file=ContentFile(STILL, name="still.jpg"),
        description="Still at 21:14:05 from OP/1",
    )
    with transaction.atomic():
        at = dt.datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
        custody_event_append(request=request, event_type=CustodyEventType.CREATED, actor=requester, at=at)
        for minutes, kind in ((10, CustodyEventType.ACCEPTED), (20, CustodyEventType.SEARCHING),
                              (50, CustodyEventType.FOOTAGE_FOUND)):
            custody_event_append(request=request, event_type=kind, actor=operator,
                                 at=at + dt.timedelta(minutes=minutes), detail={"from": "x", "to": "y"})
        custody_event_append(request=request, event_type=CustodyEventType.EXPORTED, actor=operator,
                             place="Barry monitoring centre", at=dt.datetime(2026, 3, 14, 10, 5, tzinfo=UTC),
                             detail={"note": "Exported from the NVR — café camera"})
        custody_event_append(request=request, event_type=CustodyEventType.HASHED, actor=operator, exhibit=footage,
                             at=dt.datetime(2026, 3, 14, 10, 6, tzinfo=UTC))
        custody_event_append(request=request, event_type=CustodyEventType.HASHED, actor=operator, exhibit=still,
                             at=dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC))  # 10:00 BST
    return Arranged(request=request, footage=footage, still=still)


def new_bundle(request: EvidenceRequest, by) -> ReleaseBundle:
    """A bundle row as bundle_request makes it, without sending the build anywhere."""
    return ReleaseBundle.objects.create(request=request, requested_by=by)


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
