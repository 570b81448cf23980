"""Benchmark (issue 5): verifying 1,000,000 custody events, against bare hashing of the same rows.

Chains: 1,000 requests x 1,000 events (by default), each event hashed in Python with
evidence.custody.event_hash exactly as the service does, and loaded with COPY in one
transaction (the append-only triggers stay on: inserting is what they allow). The requests
are named CV<events>-<n>, so a second run with the same sizes reuses them (the log cannot be
deleted, so a build is kept). Prints, in one run:
  * chains_verify over those chains: the one-pass, server-side-cursor verification;
  * reading the same rows through the same query without hashing (the database and ORM's share);
  * the same hashing of the same rows by a bare loop over tuples fetched beforehand
    (canonical JSON + SHA-256), and SHA-256 alone over the pre-encoded bytes: the floor;
  * peak memory of the verifying process, against holding the rows in memory for the baseline.

Run: .venv/bin/python bench/custody_verify.py [--requests 1000] [--events 1000] [--repeat 3]
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import resource
import time

from _setup import django_setup, timed


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _event_rows(request_id: int, events: int, start: dt.datetime):
    """One chain's rows for COPY, each hashed with the service's own event_hash."""
    from evidence.choices import CustodyEventType
    from evidence.custody import HASHED_FIELDS, event_hash
    from evidence.models.custody import GENESIS_HASH

    kinds = list(CustodyEventType)
    prev = GENESIS_HASH
    for sequence in range(1, events + 1):
        kind = kinds[sequence % len(kinds)]
        handed = kind == CustodyEventType.HANDED_OVER
        fields = {
            "request_id": request_id, "sequence": sequence, "at": start + dt.timedelta(seconds=37 * sequence),
            "event_type": kind.value, "actor_id": None, "actor_name": "Bench Operator",
            "actor_organisation": "Bench Council", "place": "Barry control room", "exhibit_id": None,
            "exhibit_reference": f"OP/{sequence}" if sequence % 10 == 0 else "",
            "exhibit_sha256": hashlib.sha256(str(sequence).encode()).hexdigest() if sequence % 10 == 0 else "",
            "from_person": "PC 1234 Jones" if handed else "", "to_person": "DC 77 Prys" if handed else "",
            "detail": {"note": f"step {sequence}", "by": "bench"}, "prev_hash": prev,
        }
        fields["hash"] = event_hash(prev, fields)
        prev = fields["hash"]
        fields["detail"] = json.dumps(fields["detail"])
        yield tuple(fields[name] for name in (*HASHED_FIELDS, "hash"))


def build(*, requests: int, events: int):
    """The bench's requests (a queryset), building their chains if this size was never built."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.choices import OrganisationKind
    from accounts.models import Organisation
    from evidence.custody import HASHED_FIELDS
    from evidence.models import CustodyEvent, EvidenceRequest

    prefix = f"CV{events}-"
    chosen = EvidenceRequest.objects.filter(reference__startswith=prefix, reference__lte=f"{prefix}{requests:06d}")
    have = CustodyEvent.objects.filter(request__in=chosen).count()
    if chosen.count() == requests and have == requests * events:
        return chosen
    if have:
        raise SystemExit(f"{have:,} events exist for a different size under {prefix}: choose another --events.")
    council, _ = Organisation.objects.get_or_create(name="Bench Council", defaults={"kind": OrganisationKind.COUNCIL})
    print(f"building {requests:,} chains of {events:,} events ...", flush=True)
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        made = EvidenceRequest.objects.bulk_create(
            EvidenceRequest(reference=f"{prefix}{n:06d}", owner=council, requester_name="Bench requester",
                            kind="police_investigation", legal_basis="dpa2018_sch2_para2", incident_starts_at=now,
                            incident_ends_at=now, reason="benchmark", state="submitted", state_changed_at=now,
                            received_at=now)
            for n in range(1, requests + 1)
        )
        columns = ", ".join((*HASHED_FIELDS, "hash"))
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY evidence_custodyevent ({columns}) FROM STDIN") as copy:
            for request in made:
                for row in _event_rows(request.pk, events, now - dt.timedelta(days=400)):
                    copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE evidence_custodyevent; ANALYZE evidence_evidencerequest")
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=None)
    args = parser.parse_args()
    django_setup()

    from django.db import connection, transaction

    from evidence.custody import HASHED_FIELDS, canonical_encoding, event_hash
    from evidence.verification import CHUNK_SIZE, chain_rows, chains_verify

    chunk_size = args.chunk_size or CHUNK_SIZE
    chosen = build(requests=args.requests, events=args.events)
    total = args.requests * args.events
    print(f"{total:,} events in {args.requests:,} chains; chunk size {chunk_size:,}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)

    rss_before = rss_mb()

    def verify() -> tuple[int, int]:
        events = broken = 0
        for report in chains_verify(chosen, chunk_size=chunk_size):
            events += report.events
            broken += not report.ok
        return events, broken

    verify_s, (events, broken) = timed(verify, repeat=args.repeat)
    assert (events, broken) == (total, 0), (events, broken)
    verify_peak = peak_rss_mb()

    def read_only() -> int:
        count = 0
        with transaction.atomic():
            for _ in chain_rows(chosen, chunk_size=chunk_size):
                count += 1
        return count

    read_s, _ = timed(read_only, repeat=args.repeat)

    # The baseline's rows, fetched beforehand as plain tuples with the same types the ORM gives.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.hash, " + ", ".join(f"e.{name}" for name in HASHED_FIELDS)
            + " FROM evidence_custodyevent e WHERE e.request_id IN (SELECT id FROM evidence_evidencerequest"
            " WHERE reference LIKE %s) ORDER BY e.request_id, e.sequence", [f"CV{args.events}-%"])
        rows = [(stored, dict(zip(HASHED_FIELDS, values, strict=True))) for stored, *values in cursor.fetchall()]
    for _, fields in rows:  # Django has psycopg hand jsonb over as text; JSONField decodes it, so do we
        if isinstance(fields["detail"], str):
            fields["detail"] = json.loads(fields["detail"])
    prefetch_peak = peak_rss_mb()
    assert len(rows) == total

    def bare_encode_and_hash() -> int:
        mismatches = 0
        for stored, fields in rows:
            mismatches += event_hash(fields["prev_hash"], fields) != stored
        return mismatches

    bare_s, mismatches = timed(bare_encode_and_hash, repeat=args.repeat)
    assert mismatches == 0
    encoded = [fields["prev_hash"].encode("ascii") + canonical_encoding(fields) for _, fields in rows]

    def bare_sha256() -> int:
        sha256 = hashlib.sha256
        for data in encoded:
            sha256(data).hexdigest()
        return len(encoded)

    sha_s, _ = timed(bare_sha256, repeat=args.repeat)
    mean_bytes = sum(map(len, encoded)) / len(encoded)

    def line(label: str, seconds: float) -> str:
        rate = total / seconds
        return f"  {label:<58} {seconds:7.2f} s  {rate:>11,.0f} events/s  {1e6 / rate:6.2f} µs/event"

    print(f"median of {args.repeat} runs after one warm-up:")
    print(line("chains_verify (one query, server-side cursor, hashing)", verify_s))
    print(line("  the same query read without hashing", read_s))
    print(line("bare loop over pre-fetched rows: canonical JSON + SHA-256", bare_s))
    print(line(f"bare loop: SHA-256 alone over pre-encoded bytes ({mean_bytes:.0f} B)", sha_s))
    print(f"  verification overhead over the bare loop: {verify_s / bare_s:.2f}x "
          f"(reading {read_s / verify_s:.0%} of the verify time, hashing the rest)")
    print(f"memory: RSS {rss_before:.0f} MB before verifying, peak {verify_peak:.0f} MB after {args.repeat + 1} "
          f"verifications; peak {prefetch_peak:.0f} MB once the baseline's rows are held in memory")


if __name__ == "__main__":
    main()
