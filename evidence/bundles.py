"""Release bundles: the exhibits, a signed manifest, the custody log and a continuity statement in one ZIP.

A bundle is what leaves the council, so the recipient must be able to check it without us
(evidence.verify): manifest.json lists every file with its size and SHA-256 and the custody
chain head; manifest.sig is the council's Ed25519 signature of those exact bytes;
custody.json carries every hashed field of every custody event so each hash can be recomputed.

Footage runs to gigabytes, so exhibits are streamed into the archive in chunks (constant
memory), stored uncompressed (video is compressed already) with ZIP64 headers past 4 GB, and
checked against their recorded SHA-256 on the way: an exhibit whose bytes on storage changed
fails the build rather than going out. The ZIP is written to a work file and moved into
storage only when complete, so storage never holds half a bundle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from accounts.exceptions import InvalidInput
from evidence.choices import BundleStatus, CustodyEventType
from evidence.custody import HASHED_FIELDS, canonical_time, custody_event_append, event_fields
from evidence.models import CustodyEvent, EvidenceRequest, Exhibit, ReleaseBundle
from evidence.models.custody import GENESIS_HASH
from evidence.signing import signer_name, signing_key_fingerprint, signing_private_key, signing_public_key_pem
from evidence.verify import (
    BUNDLE_FORMAT,
    CONTINUITY,
    CUSTODY,
    EXHIBITS_DIR,
    MANIFEST,
    PUBLIC_KEY,
    SIGNATURE,
)

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
# Advisory-lock namespace for bundle builds (custody chains use 7_301).
BUNDLE_LOCK_NAMESPACE = 7_302


class BundleBuildFailed(Exception):
    """The bundle cannot be built as things stand (the message says why); retrying will not help until fixed."""


@dataclass(frozen=True)
class BundleFile:
    exhibit: Exhibit
    name: str  # the path inside the ZIP: exhibits/<reference sanitised><original extension>


# --- choosing and naming the files ------------------------------------------------------------

def bundle_exhibits_chosen(request: EvidenceRequest, exhibit_ids: list[int] | None = None) -> list[Exhibit]:
    """The exhibits to put in a bundle: those asked for, else every one not disposed of."""
    available = (request.exhibits.filter(disposed_at__isnull=True)
                 .select_related("camera", "derived_from").order_by("reference"))
    if exhibit_ids is None:
        chosen = list(available)
    else:
        chosen = list(available.filter(pk__in=exhibit_ids))
        unknown = sorted(set(exhibit_ids) - {exhibit.pk for exhibit in chosen})
        if unknown:
            raise InvalidInput(
                f"Exhibit id(s) {', '.join(map(str, unknown))} are not exhibits of request {request.reference} that "
                "can be released: they belong to another request, do not exist, or were disposed of."
            )
    if not chosen:
        raise InvalidInput(f"Request {request.reference} has no exhibits to put in a bundle.")
    return chosen


def _extension(exhibit: Exhibit) -> str:
    suffix = PurePosixPath(exhibit.original_filename or exhibit.file.name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ".bin"


def bundle_file_names(exhibits: list[Exhibit]) -> list[BundleFile]:
    """exhibits/OP_1.mp4 for exhibit OP/1: a name safe on every file system, unique in the bundle."""
    taken: set[str] = set()
    files = []
    for exhibit in exhibits:
        stem = re.sub(r"[^A-Za-z0-9-]+", "_", exhibit.reference).strip("_") or f"exhibit-{exhibit.pk}"
        name, extension, n = stem, _extension(exhibit), 1
        while f"{name}{extension}".lower() in taken:  # OP/1 and OP_1 would otherwise collide
            n += 1
            name = f"{stem}-{n}"
        taken.add(f"{name}{extension}".lower())
        files.append(BundleFile(exhibit=exhibit, name=f"{EXHIBITS_DIR}{name}{extension}"))
    return files


# --- the documents inside the bundle --------------------------------------------------------

def _json_bytes(document: dict) -> bytes:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def _local(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _london(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y %H:%M:%S %Z")


def custody_document(request: EvidenceRequest, events: list[CustodyEvent]) -> bytes:
    """custody.json: every hashed field of every event, in the exact terms that were hashed."""
    rows = []
    for event in events:
        fields = event_fields(event)
        fields["at"] = canonical_time(fields["at"])
        rows.append({**fields, "hash": event.hash})
    return _json_bytes({
        "format": "vale-cctv-custody-log/1",
        "request_reference": request.reference,
        "genesis_hash": GENESIS_HASH,
        "hashed_fields": list(HASHED_FIELDS),
        "hash_rule": "hash = SHA-256(prev_hash as ASCII + canonical JSON of the hashed fields: keys sorted, "
                     "separators ',' and ':', UTF-8 without escaping, 'at' as UTC ISO 8601 with microseconds)",
        "events": rows,
    })


def _file_entry(item: BundleFile) -> dict:
    exhibit = item.exhibit
    return {
        "name": item.name,
        "size": exhibit.size_bytes,
        "sha256": exhibit.sha256,
        "exhibit_reference": exhibit.reference,
        "kind": exhibit.kind,
        "copy": "master" if exhibit.is_master_copy else "working",
        "description": exhibit.description,
        "derived_from": exhibit.derived_from.reference if exhibit.derived_from_id else None,
        "camera_asset_ref": exhibit.camera.asset_ref if exhibit.camera_id else None,
        "recorded_from": _local(exhibit.recorded_from),
        "recorded_to": _local(exhibit.recorded_to),
    }


def manifest_document(*, bundle: ReleaseBundle, files: list[BundleFile], chain_head: str, event_count: int,
                      built_at: dt.datetime, metadata: dict[str, bytes], fingerprint: str) -> bytes:
    """manifest.json: what the signature covers. custody.json and continuity.txt are listed with their hashes."""
    request = bundle.request
    return _json_bytes({
        "format": BUNDLE_FORMAT,
        "bundle_id": bundle.pk,
        "request_reference": request.reference,
        "request_kind": request.kind,
        "legal_basis": request.legal_basis,
        "legal_basis_text": request.get_legal_basis_display(),
        "crime_reference": request.crime_reference,
        "owner": request.owner.name,
        "requester_organisation": request.requester_organisation.name if request.requester_organisation_id else None,
        "incident_starts_at": _local(request.incident_starts_at),
        "incident_ends_at": _local(request.incident_ends_at),
        "built_at": _local(built_at),
        "chain_head": chain_head,
        "custody_events": event_count,
        "signer": {"name": signer_name(), "algorithm": "Ed25519", "public_key_fingerprint": fingerprint},
        "files": [_file_entry(item) for item in files],
        "metadata_files": [
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(metadata.items())
        ],
    })


# Events a reader of the continuity statement needs; views and downloads stay in custody.json.
STATEMENT_EVENT_TYPES = frozenset({
    CustodyEventType.CREATED, CustodyEventType.ACCEPTED, CustodyEventType.SEARCHING, CustodyEventType.FOOTAGE_FOUND,
    CustodyEventType.EXPORTED, CustodyEventType.HASHED, CustodyEventType.REDACTED, CustodyEventType.HANDED_OVER,
    CustodyEventType.RETURNED, CustodyEventType.READY_FOR_COLLECTION, CustodyEventType.RELEASED,
    CustodyEventType.BUNDLE_BUILT, CustodyEventType.DESTROYED,
})


def _statement_event_line(event: CustodyEvent) -> str:
    who = event.actor_name + (f" ({event.actor_organisation})" if event.actor_organisation else "")
    line = f"  {_london(event.at)}  #{event.sequence} {CustodyEventType(event.event_type).label}: {who}"
    if event.place:
        line += f", at {event.place}"
    if event.from_person or event.to_person:
        line += f", from {event.from_person or '-'} to {event.to_person or '-'}"
    if event.exhibit_reference:
        line += f"; exhibit {event.exhibit_reference}, SHA-256 {event.exhibit_sha256}"
    return line


def continuity_statement(*, request: EvidenceRequest, files: list[BundleFile], events: list[CustodyEvent],
                         chain_head: str, built_at: dt.datetime, fingerprint: str) -> str:
    """continuity.txt: the chain of custody told for a person, from the same log the hashes cover."""
    requester = (request.requester.get_full_name() or request.requester.username) if request.requester_id \
        else request.requester_name
    if request.requester_organisation_id:
        requester += f", {request.requester_organisation.name}"
    shown = [event for event in events if event.event_type in STATEMENT_EVENT_TYPES]
    lines = [
        "CONTINUITY STATEMENT",
        f"Evidence request {request.reference} ({request.get_kind_display()})",
        f"Data controller: {request.owner.name}",
        f"Requested by: {requester}; received {_london(request.received_at)}",
        f"Legal basis: {request.get_legal_basis_display()}",
    ]
    if request.crime_reference:
        lines.append(f"Crime or incident reference: {request.crime_reference}")
    lines += [
        f"Incident window: {_london(request.incident_starts_at)} to {_london(request.incident_ends_at)}",
        "",
        "Handling, from the chain of custody (times Europe/London):",
        *(_statement_event_line(event) for event in shown),
    ]
    if len(events) > len(shown):
        lines.append(f"  ({len(events) - len(shown)} further event(s), such as views and downloads, are in {CUSTODY}.)")
    lines += ["", "Exhibits in this bundle:"]
    for item in files:
        entry = _file_entry(item)
        about = [entry["kind"].replace("_", " "), f"{entry['copy']} copy"]
        if entry["camera_asset_ref"]:
            about.append(f"camera {entry['camera_asset_ref']}")
        if item.exhibit.recorded_from and item.exhibit.recorded_to:
            about.append(f"recorded {_london(item.exhibit.recorded_from)} to {_london(item.exhibit.recorded_to)}")
        if entry["derived_from"]:
            about.append(f"derived from {entry['derived_from']}")
        lines += [f"  {entry['exhibit_reference']}: {', '.join(about)}",
                  f"      {item.name}, {entry['size']:,} bytes, SHA-256 {entry['sha256']}"]
    lines += [
        "",
        f"Custody chain head when this bundle was built: {chain_head} ({len(events)} events)",
        f"Bundle built: {_london(built_at)}",
        "",
        f"Signed by: {signer_name()}, Ed25519 key {fingerprint}.",
        f"{SIGNATURE} is the signature of {MANIFEST}, which lists every file here with its SHA-256, this",
        f"statement and {CUSTODY} included. Check the bundle with the council's published key:",
        "  python -m evidence.verify <bundle>.zip --public-key <published key>.pem",
        f"  openssl pkeyutl -verify -pubin -inkey <published key>.pem -rawin -in {MANIFEST} -sigfile {SIGNATURE}",
    ]
    return "\n".join(lines) + "\n"


# --- writing the archive --------------------------------------------------------------------

def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    return timezone.localtime(moment).timetuple()[:6]  # ZIP keeps local time without a zone


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes, built_at: dt.datetime, *,
                  compress: bool = True) -> None:
    info = zipfile.ZipInfo(name, date_time=_zip_time(built_at))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _copy_exhibit(archive: zipfile.ZipFile, item: BundleFile, built_at: dt.datetime) -> None:
    """Stream one exhibit into the archive, checking its bytes against the SHA-256 recorded at upload."""
    exhibit = item.exhibit
    info = zipfile.ZipInfo(item.name, date_time=_zip_time(built_at))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    info.file_size = exhibit.size_bytes  # known up front, so zipfile writes ZIP64 headers for files past 4 GB
    digest, count = hashlib.sha256(), 0
    try:
        source = exhibit.file.open("rb")
    except FileNotFoundError:
        raise BundleBuildFailed(f"Exhibit {exhibit.reference}'s file {exhibit.file.name} is missing from storage.") \
            from None
    with source, archive.open(info, "w") as target:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            count += len(chunk)
            target.write(chunk)
    if count != exhibit.size_bytes or digest.hexdigest() != exhibit.sha256:
        raise BundleBuildFailed(
            f"Exhibit {exhibit.reference} on storage no longer matches its record ({count} bytes, SHA-256 "
            f"{digest.hexdigest()}; recorded {exhibit.size_bytes} bytes, {exhibit.sha256}): it was not released."
        )


def _write_archive(path: Path, *, bundle: ReleaseBundle, files: list[BundleFile], events: list[CustodyEvent],
                   built_at: dt.datetime) -> str:
    """Write the whole ZIP to `path`; returns the chain head it records."""
    request = bundle.request
    key = signing_private_key()
    fingerprint = signing_key_fingerprint(key)
    chain_head = events[-1].hash if events else GENESIS_HASH
    metadata = {
        CUSTODY: custody_document(request, events),
        CONTINUITY: continuity_statement(request=request, files=files, events=events, chain_head=chain_head,
                                         built_at=built_at, fingerprint=fingerprint).encode("utf-8"),
    }
    manifest = manifest_document(bundle=bundle, files=files, chain_head=chain_head, event_count=len(events),
                                 built_at=built_at, metadata=metadata, fingerprint=fingerprint)
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        _write_member(archive, MANIFEST, manifest, built_at)
        _write_member(archive, SIGNATURE, key.sign(manifest), built_at, compress=False)
        _write_member(archive, PUBLIC_KEY, signing_public_key_pem(key), built_at)
        for name, data in metadata.items():
            _write_member(archive, name, data, built_at)
        for item in files:
            _copy_exhibit(archive, item, built_at)
    return chain_head


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


# --- storage, locking and the record --------------------------------------------------------

class _WorkFile(File):
    """A finished work file: FileSystemStorage moves it into place (a rename) rather than copying."""

    def temporary_file_path(self) -> str:
        return self.name


def bundle_work_path(bundle: ReleaseBundle) -> Path:
    """One work file per bundle, so an attempt that died is found, and discarded, by the next."""
    folder = Path(getattr(settings, "EVIDENCE_BUNDLE_WORK_DIR", None) or Path(settings.VAR_DIR) / "tmp" / "bundles")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"bundle-{bundle.pk}.zip.part"


def bundle_storage_name(bundle: ReleaseBundle) -> str:
    reference = re.sub(r"[^A-Za-z0-9-]+", "_", bundle.request.reference)
    return f"bundles/{timezone.localtime(bundle.requested_at):%Y/%m}/{reference}-bundle-{bundle.pk}.zip"


def _store(work_path: Path, bundle: ReleaseBundle) -> str:
    storage = bundle.file.storage
    name = bundle_storage_name(bundle)
    if storage.exists(name):  # left by an attempt that died after moving it, before recording it
        storage.delete(name)
    with work_path.open("rb") as stream:
        return storage.save(name, _WorkFile(stream, name=str(work_path)))


@contextmanager
def _build_lock(bundle_id: int) -> Iterator[bool]:
    """A session advisory lock: one builder per bundle, released by PostgreSQL if the worker dies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [BUNDLE_LOCK_NAMESPACE, bundle_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [BUNDLE_LOCK_NAMESPACE, bundle_id])


@transaction.atomic
def _record_ready(bundle_id: int, *, name: str, sha256: str, size: int, chain_head: str, built_at: dt.datetime,
                  files: list[BundleFile]) -> ReleaseBundle:
    bundle = ReleaseBundle.objects.select_for_update().select_related("request").get(pk=bundle_id)
    bundle.status, bundle.error = BundleStatus.READY, ""
    bundle.file.name, bundle.sha256, bundle.size_bytes = name, sha256, size
    bundle.chain_head, bundle.built_at = chain_head, built_at
    bundle.save()
    custody_event_append(request=bundle.request, event_type=CustodyEventType.BUNDLE_BUILT, actor=None, detail={
        "bundle_id": bundle.pk, "sha256": sha256, "size_bytes": size, "chain_head": chain_head,
        "exhibit_ids": [item.exhibit.pk for item in files],
        "exhibits": [item.exhibit.reference for item in files],
        "requested_by": bundle.requested_by.get_full_name() or bundle.requested_by.username,
    })
    return bundle


def _record_failed(bundle_id: int, reason: str) -> None:
    ReleaseBundle.objects.filter(pk=bundle_id).exclude(status=BundleStatus.READY).update(
        status=BundleStatus.FAILED, error=reason[:500])


def bundle_build(bundle: ReleaseBundle, *, exhibit_ids: list[int] | None = None) -> ReleaseBundle:
    """Build the bundle's ZIP, store it, and mark it ready with its hash and a 'bundle_built' custody event.

    Safe to run again: a ready bundle is left alone; a build already running elsewhere is left
    to finish; a work file or stored file left by an attempt that died is discarded and the
    bundle rebuilt. A build that fails is marked failed with the reason. BundleBuildFailed and
    bad input are expected failures and return; anything else is re-raised after marking.
    """
    with _build_lock(bundle.pk) as acquired:
        if not acquired:
            logger.info("bundle=%s already being built elsewhere", bundle.pk)
            return bundle
        bundle = ReleaseBundle.objects.select_related("request__owner", "request__requester",
                                                      "request__requester_organisation").get(pk=bundle.pk)
        if bundle.status == BundleStatus.READY:
            return bundle
        ReleaseBundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.BUILDING, error="")
        work_path = bundle_work_path(bundle)
        work_path.unlink(missing_ok=True)
        stored = ""
        try:
            files = bundle_file_names(bundle_exhibits_chosen(bundle.request, exhibit_ids))
            events = list(CustodyEvent.objects.filter(request=bundle.request).order_by("sequence"))
            built_at = timezone.now()
            chain_head = _write_archive(work_path, bundle=bundle, files=files, events=events, built_at=built_at)
            sha256, size = _sha256_of(work_path), work_path.stat().st_size
            stored = _store(work_path, bundle)
            bundle = _record_ready(bundle.pk, name=stored, sha256=sha256, size=size, chain_head=chain_head,
                                   built_at=built_at, files=files)
        except (BundleBuildFailed, InvalidInput) as exc:
            _discard(bundle, stored)
            _record_failed(bundle.pk, str(exc))
            logger.warning("bundle=%s failed: %s", bundle.pk, exc)
            bundle.refresh_from_db()
            return bundle
        except Exception as exc:
            _discard(bundle, stored)
            # The message may hold server paths: the reason shown stays generic, the log has the rest.
            _record_failed(bundle.pk, f"Unexpected error ({type(exc).__name__}); the worker's log has the details.")
            logger.exception("bundle=%s failed unexpectedly", bundle.pk)
            raise
        finally:
            work_path.unlink(missing_ok=True)
    logger.info("bundle=%s ready request=%s size=%s sha256=%s", bundle.pk, bundle.request_id, size, sha256)
    return bundle


def _discard(bundle: ReleaseBundle, stored: str) -> None:
    if stored:
        bundle.file.storage.delete(stored)


def bundle_exhibit_ids(bundle: ReleaseBundle) -> list[int]:
    """The exhibits a ready bundle holds, as its 'bundle_built' custody event records them."""
    detail = (CustodyEvent.objects.filter(request_id=bundle.request_id, event_type=CustodyEventType.BUNDLE_BUILT,
                                          detail__bundle_id=bundle.pk).values_list("detail", flat=True).first())
    return list(detail["exhibit_ids"]) if detail else []
