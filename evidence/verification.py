"""Recomputing the chain of custody and pointing at the first broken link (DESIGN.md 2C and 5).

Every event is checked in order against three rules: its sequence follows the one before it
(1, 2, 3, ... with no gaps), its prev_hash is the previous event's stored hash (GENESIS_HASH
for the first), and its stored hash is what evidence.custody.event_hash gives for its stored
fields. The encoding is never re-implemented here: the verifier, the service that appends and
the release bundle must agree byte for byte.

What verification cannot see: the tail of a chain cut off, or a whole chain rewritten by
someone able to write the table and recompute every hash. Both are caught by comparing the
head with a copy kept outside the database (receipts, bundles, the daily digest in
evidence.digest). That is why a report always carries the head and the event count.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from evidence.custody import HASHED_FIELDS, event_hash
from evidence.models import EvidenceRequest
from evidence.models.custody import GENESIS_HASH

# Rows fetched per round trip from the server-side cursor: large enough that the round trips
# cost little against hashing, small enough that memory stays flat (a few MB).
CHUNK_SIZE = 5_000

REASON_CONTENTS = "hash does not match its contents"
REASON_GENESIS = "prev_hash is not the genesis hash"

# One row per event, or one row with no event for a request whose chain is empty (LEFT JOIN).
_REQUEST_COLUMNS = ("id", "reference", "owner_id", "custody_events__id", "custody_events__hash")
# The event's own columns named as HASHED_FIELDS names them; a foreign key's column is reached
# by the relation's name ("actor" gives actor_id without another join).
_EVENT_COLUMNS = tuple(f"custody_events__{name.removesuffix('_id')}" for name in HASHED_FIELDS)


@dataclass(frozen=True)
class BrokenLink:
    sequence: int
    event_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    """One request's chain: its length and head, and the first event that fails a check, if any."""

    request_id: int
    reference: str
    owner_id: int
    events: int
    head: str
    first_broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.first_broken is None


class _ChainWalk:
    """Walks one chain event by event; after the first break it only counts (to report length and head)."""

    __slots__ = ("request_id", "reference", "owner_id", "events", "head", "head_sequence", "first_broken")

    def __init__(self, request_id: int, reference: str, owner_id: int):
        self.request_id, self.reference, self.owner_id = request_id, reference, owner_id
        self.events = 0
        self.head = GENESIS_HASH
        self.head_sequence = 0
        self.first_broken: BrokenLink | None = None

    def take(self, event_id: int, stored_hash: str, fields: dict) -> None:
        if self.first_broken is None:
            reason = self._fault(stored_hash, fields)
            if reason is not None:
                self.first_broken = BrokenLink(sequence=fields["sequence"], event_id=event_id, reason=reason)
        self.events += 1
        self.head = stored_hash
        self.head_sequence = fields["sequence"]

    def _fault(self, stored_hash: str, fields: dict) -> str | None:
        expected = self.events + 1
        if fields["sequence"] != expected:
            return f"sequence gap: expected event {expected}, found event {fields['sequence']}"
        if self.events == 0:
            if fields["prev_hash"] != GENESIS_HASH:
                return REASON_GENESIS
        elif fields["prev_hash"] != self.head:
            return f"prev_hash does not match event {self.head_sequence}'s hash"
        if event_hash(fields["prev_hash"], fields) != stored_hash:
            return REASON_CONTENTS
        return None

    def report(self) -> ChainReport:
        return ChainReport(request_id=self.request_id, reference=self.reference, owner_id=self.owner_id,
                           events=self.events, head=self.head, first_broken=self.first_broken)


def _reports(rows: Iterable[tuple]) -> Iterator[ChainReport]:
    """Turn rows ordered by (request, sequence) into one report per request, yielding as each ends."""
    walk: _ChainWalk | None = None
    for row in rows:
        request_id, reference, owner_id, event_id, stored_hash = row[:5]
        if walk is None or walk.request_id != request_id:
            if walk is not None:
                yield walk.report()
            walk = _ChainWalk(request_id, reference, owner_id)
        if event_id is not None:
            walk.take(event_id, stored_hash, dict(zip(HASHED_FIELDS, row[5:], strict=True)))
    if walk is not None:
        yield walk.report()


def chains_verify(
    requests: QuerySet[EvidenceRequest] | Iterable[EvidenceRequest] | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[ChainReport]:
    """Verify every chain (or those of `requests`) in one pass, yielding a report per request by id.

    One query: requests LEFT JOIN their events ordered by (request id, sequence); PostgreSQL
    merges the two indexes and sorts one chain at a time (an incremental sort), never the
    whole log. It is read through a server-side cursor in chunks, so memory stays flat
    however many events there are (1,000,000 events: under 10 MB more, bench/custody_verify.py).
    A request with no events is reported as an empty chain (head GENESIS_HASH).

    The cursor is read inside a transaction: outside one, PostgreSQL would have to materialise
    the whole result (a WITH HOLD cursor) before the first row. It is one statement, so it
    sees one snapshot: appends committed meanwhile are not half-seen.
    """
    with transaction.atomic():
        yield from _reports(chain_rows(requests, chunk_size=chunk_size))


def chain_rows(
    requests: QuerySet[EvidenceRequest] | Iterable[EvidenceRequest] | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[tuple]:
    """The rows chains_verify reads: request id, reference, owner id, event id, stored hash, HASHED_FIELDS.

    Apart so the benchmark can time reading them without hashing them.
    """
    queryset = EvidenceRequest.objects.all()
    if requests is not None:
        ids = requests.values("pk") if isinstance(requests, QuerySet) else [request.pk for request in requests]
        queryset = queryset.filter(pk__in=ids)
    return (queryset.order_by("id", "custody_events__sequence")
            .values_list(*_REQUEST_COLUMNS, *_EVENT_COLUMNS)
            .iterator(chunk_size=chunk_size))


def chain_verify(request: EvidenceRequest) -> ChainReport:
    """Verify one request's chain: for the verify endpoint, and for anything about to rely on it (a release)."""
    (report,) = chains_verify([request])
    return report
