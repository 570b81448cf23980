"""Appending to and checking the chain of custody (DESIGN.md 2C, 5).

Each event stores the previous event's hash and its own:
    hash = sha256(prev_hash || canonical JSON of the event's fields)
Canonical JSON: the fields below, keys sorted, no spaces, UTF-8, times as UTC ISO 8601 with
microseconds. Appends to one request's chain take a transaction-level advisory lock, so two
workers never both read the same head and fork the chain (the unique (request, prev_hash)
constraint would refuse the second anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.models import User
from evidence.models import CustodyEvent, EvidenceRequest, Exhibit
from evidence.models.custody import GENESIS_HASH

# Advisory-lock namespace for custody chains (first key of the two-key form).
CUSTODY_LOCK_NAMESPACE = 7_301

HASHED_FIELDS = (
    "request_id", "sequence", "at", "event_type", "actor_id", "actor_name", "actor_organisation", "place",
    "exhibit_id", "exhibit_reference", "exhibit_sha256", "from_person", "to_person", "detail", "prev_hash",
)


def canonical_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_encoding(fields: dict[str, Any]) -> bytes:
    """The bytes that are hashed: the same in the service, the verifier and the bundle."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    values["at"] = canonical_time(values["at"]) if isinstance(values["at"], dt.datetime) else values["at"]
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_encoding(fields)).hexdigest()


def event_fields(event: CustodyEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}


def _chain_lock(request_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CUSTODY_LOCK_NAMESPACE, request_id])


def custody_event_append(
    *,
    request: EvidenceRequest,
    event_type: str,
    actor: User | None,
    place: str = "",
    exhibit: Exhibit | None = None,
    from_person: str = "",
    to_person: str = "",
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CustodyEvent:
    """Append one event to the request's chain. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("custody_event_append must run inside a transaction (the lock is transaction-level).")
    _chain_lock(request.pk)
    head = CustodyEvent.objects.filter(request_id=request.pk).order_by("-sequence").values("sequence", "hash").first()
    actor_name = (actor.get_full_name() or actor.username) if actor is not None else "system"
    event = CustodyEvent(
        request_id=request.pk,
        sequence=(head["sequence"] + 1) if head else 1,
        # Stored with microseconds, so the encoding read back equals the encoding hashed.
        at=(at or timezone.now()).astimezone(dt.UTC),
        event_type=event_type,
        actor=actor,
        actor_name=actor_name[:200],
        actor_organisation=(actor.organisation.name if actor is not None and actor.organisation_id else "")[:200],
        place=place[:200],
        exhibit=exhibit,
        exhibit_reference=exhibit.reference if exhibit is not None else "",
        exhibit_sha256=exhibit.sha256 if exhibit is not None else "",
        from_person=from_person[:200],
        to_person=to_person[:200],
        detail=detail or {},
        prev_hash=head["hash"] if head else GENESIS_HASH,
    )
    event.hash = event_hash(event.prev_hash, event_fields(event))
    event.save(force_insert=True)
    return event


def chain_head(request: EvidenceRequest) -> str:
    """The hash of the request's latest custody event (printed on receipts, bundles, digests)."""
    head = CustodyEvent.objects.filter(request=request).order_by("-sequence").values_list("hash", flat=True).first()
    return head or GENESIS_HASH
