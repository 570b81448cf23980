"""Check a Vale CCTV release bundle without the service that made it.

    python -m evidence.verify bundle.zip [--public-key council-key.pem]

Whoever receives a bundle (an officer, the CPS, a court, a defence expert) has the ZIP and the
council's published public key, not our database. So this module is standalone on purpose:
the standard library and `cryptography` only, no Django, no settings, no database. It is also
importable: `verify_bundle(path, public_key_pem=None) -> Report`.

What it checks, printing one line per check and exactly what does not match:
1. The archive is safe to read: no absolute paths, no '..', no backslashes, no links, no
   duplicates, no encryption. An unsafe archive is refused before anything is read from it,
   and nothing is ever extracted to disk: every file is hashed as it streams from the ZIP.
2. manifest.sig is a valid Ed25519 signature of the exact bytes of manifest.json, by the key
   given with --public-key (the trusted one), else by the bundle's own public-key.pem, with a
   warning that a key shipped inside the bundle proves integrity, not origin.
3. Every file the manifest lists is there with its size and SHA-256, and no other file is.
4. custody.json is an unbroken hash chain from the genesis hash, each hash recomputed here with
   the service's canonical encoding (evidence.custody), and its last hash equals the chain_head
   the manifest was signed with, so the custody log cannot be rewritten without breaking the
   signature.

Exit code 0 only when everything matches; 1 when anything does not; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import stat
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BUNDLE_FORMAT = "vale-cctv-release-bundle/1"
GENESIS_HASH = "0" * 64
# The fields each custody hash covers, and how they are encoded: the same as
# evidence.custody.HASHED_FIELDS and canonical_encoding (tests/evidence/test_verify_standalone.py
# holds the two together on real events).
HASHED_FIELDS = (
    "request_id", "sequence", "at", "event_type", "actor_id", "actor_name", "actor_organisation", "place",
    "exhibit_id", "exhibit_reference", "exhibit_sha256", "from_person", "to_person", "detail", "prev_hash",
)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public-key.pem"
CUSTODY = "custody.json"
CONTINUITY = "continuity.txt"
EXHIBITS_DIR = "exhibits/"
# Files every bundle has besides the exhibits. custody.json and continuity.txt are also listed,
# with their hashes, in the manifest, so the signature covers them too.
FIXED_FILES = (MANIFEST, SIGNATURE, PUBLIC_KEY, CUSTODY, CONTINUITY)
SIGNED_METADATA_FILES = (CUSTODY, CONTINUITY)

CHUNK_BYTES = 1024 * 1024
# Files read into memory whole are capped, so a hostile archive cannot exhaust memory.
MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_SMALL_BYTES = 64 * 1024
SAFE_NAME_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def canonical_encoding(fields: dict[str, Any]) -> bytes:
    """The bytes a custody event's hash covers (times are already UTC ISO 8601 strings here)."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_encoding(fields)).hexdigest()


def public_key_fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte key: short enough to read out and compare with the published one."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def public_key_load(pem: bytes) -> Ed25519PublicKey:
    """Load a PEM public key, refusing anything but Ed25519 (ValueError says why)."""
    try:
        key = serialization.load_pem_public_key(pem)
    except UnsupportedAlgorithm as exc:
        raise ValueError(f"its algorithm is not supported ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"it is a {type(key).__name__}, not an Ed25519 public key")
    return key


@dataclass
class Check:
    ok: bool
    message: str


@dataclass
class Report:
    """Every check made, in order, and warnings that do not fail the bundle."""

    path: str
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[str]:
        return [check.message for check in self.checks if not check.ok]

    def passed(self, message: str) -> None:
        self.checks.append(Check(True, message))

    def failed(self, message: str) -> None:
        self.checks.append(Check(False, message))

    def lines(self) -> list[str]:
        lines = [f"{'OK  ' if check.ok else 'FAIL'} {check.message}" for check in self.checks]
        lines += [f"WARN {warning}" for warning in self.warnings]
        if self.ok:
            lines.append(f"RESULT: PASS: every check on {self.path} matches.")
        else:
            lines.append(f"RESULT: FAIL: {len(self.failures)} check(s) on {self.path} do not match.")
        return lines


# --- the archive -----------------------------------------------------------------------------

def _unsafe_reason(info: zipfile.ZipInfo) -> str | None:
    """Why an entry must not be trusted, or None. Checked on every entry before anything is read."""
    name = info.orig_filename
    if not name or "\x00" in name:
        return "an empty name or a NUL byte in its name"
    if "\\" in name:
        return "a backslash in its name (a Windows path)"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in name.split("/"):
        return "'..' in its path (path traversal: it would land outside the folder it is extracted to)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    if info.flag_bits & 0x1:
        return "encryption"
    return None


def _archive_refused(report: Report, infos: list[zipfile.ZipInfo]) -> bool:
    refused = False
    seen: set[str] = set()
    for info in infos:
        reason = _unsafe_reason(info)
        if reason:
            report.failed(f"{info.orig_filename!r}: refused: the entry has {reason}.")
            refused = True
        elif info.filename in seen:
            report.failed(f"{info.filename}: refused: the archive holds two entries of this name.")
            refused = True
        seen.add(info.filename)
    if refused:
        report.failed("The archive is unsafe, so nothing in it was read or extracted; ask the sender for a new copy.")
    return refused


def _read_small(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ValueError(f"{name} is {info.file_size} bytes, more than the {limit} a bundle's {name} can be")
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} holds more than the {limit} bytes its header declares")
    return data


def _stream_sha256(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> tuple[str, int]:
    """Hash a member as it streams out of the archive, reading at most limit + 1 bytes."""
    digest = hashlib.sha256()
    count = 0
    with archive.open(info) as member:
        while count <= limit:
            chunk = member.read(min(CHUNK_BYTES, limit + 1 - count))
            if not chunk:
                break
            digest.update(chunk)
            count += len(chunk)
    return digest.hexdigest(), count


# --- the manifest ----------------------------------------------------------------------------

def _manifest_problem(manifest: Any) -> str | None:
    if not isinstance(manifest, dict):
        return "it is not a JSON object"
    if manifest.get("format") != BUNDLE_FORMAT:
        return f"its format is {manifest.get('format')!r}, not {BUNDLE_FORMAT!r}"
    files = manifest.get("files")
    if not isinstance(files, list) or not isinstance(manifest.get("metadata_files"), list):
        return "it has no 'files' or 'metadata_files' list"
    if not isinstance(manifest.get("chain_head"), str):
        return "it has no chain_head"
    for entry in files + manifest["metadata_files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            return "a file entry has no name"
        if not isinstance(entry.get("size"), int) or not isinstance(entry.get("sha256"), str):
            return f"{entry['name']} has no size or sha256"
    for entry in files:
        leaf = entry["name"].removeprefix(EXHIBITS_DIR)
        if (not entry["name"].startswith(EXHIBITS_DIR) or not leaf or leaf.startswith(".")
                or not set(leaf) <= SAFE_NAME_CHARACTERS):
            return f"it lists {entry['name']!r}, which is not a plain file name under {EXHIBITS_DIR}"
    if sorted(entry["name"] for entry in manifest["metadata_files"]) != sorted(SIGNED_METADATA_FILES):
        return f"its metadata_files are not exactly {', '.join(SIGNED_METADATA_FILES)}"
    names = [entry["name"] for entry in files]
    if len(set(names)) != len(names):
        return "it lists a file twice"
    return None


def _check_signature(report: Report, archive: zipfile.ZipFile, manifest_bytes: bytes,
                     trusted_pem: bytes | None) -> None:
    try:
        signature = _read_small(archive, SIGNATURE, MAX_SMALL_BYTES)
        bundled_key = public_key_load(_read_small(archive, PUBLIC_KEY, MAX_SMALL_BYTES))
    except (KeyError, ValueError) as exc:
        report.failed(f"{SIGNATURE}: cannot be checked: {exc}.")
        return
    bundled_print = public_key_fingerprint(bundled_key)
    if trusted_pem is None:
        key, source = bundled_key, "the bundle's own public-key.pem"
        report.warnings.append(
            f"No --public-key given, so the signature was checked with the key inside the bundle ({bundled_print}). "
            "That proves the files are as they were signed, not who signed them: check this fingerprint against "
            "the key the council publishes, or run again with --public-key."
        )
    else:
        key, source = public_key_load(trusted_pem), "the trusted key given with --public-key"
        if public_key_fingerprint(key) != bundled_print:
            report.warnings.append(
                f"The bundle's own public-key.pem ({bundled_print}) is not the trusted key "
                f"({public_key_fingerprint(key)}); only the trusted key was used."
            )
    try:
        key.verify(signature, manifest_bytes)
    except InvalidSignature:
        report.failed(
            f"{SIGNATURE}: the Ed25519 signature does not verify with {source} ({public_key_fingerprint(key)}): "
            f"{MANIFEST} was changed after signing, or was signed by another key."
        )
        return
    report.passed(f"{SIGNATURE}: valid Ed25519 signature of {MANIFEST} by {source} ({public_key_fingerprint(key)}).")


def _check_files(report: Report, archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    listed = manifest["files"] + manifest["metadata_files"]
    expected = set(FIXED_FILES) | {entry["name"] for entry in listed}
    for name in sorted(set(archive.namelist()) - expected):
        report.failed(f"{name}: unexpected file: it is not listed in the manifest.")
    for entry in listed:
        name, size, sha256 = entry["name"], entry["size"], entry["sha256"]
        try:
            info = archive.getinfo(name)
        except KeyError:
            report.failed(f"{name}: missing: the manifest lists it but the archive does not hold it.")
            continue
        if info.file_size != size:
            report.failed(f"{name}: size mismatch: manifest {size} bytes, file {info.file_size} bytes.")
            continue
        try:
            actual, count = _stream_sha256(archive, info, size)
        except zipfile.BadZipFile as exc:
            report.failed(f"{name}: altered or damaged inside the archive ({exc}); it cannot match the manifest's "
                          f"SHA-256 {sha256}.")
            continue
        if count != size:
            report.failed(f"{name}: size mismatch: manifest {size} bytes, file {count} bytes when read.")
        elif actual != sha256:
            report.failed(f"{name}: SHA-256 mismatch: manifest {sha256}, file {actual}.")
        else:
            report.passed(f"{name}: {size} bytes, SHA-256 {sha256} as in the manifest.")


# --- the custody chain -----------------------------------------------------------------------

def _event_label(event: dict[str, Any], position: int) -> str:
    sequence, kind, at = event.get("sequence", position), event.get("event_type", "?"), event.get("at", "?")
    return f"custody event #{sequence} ({kind} at {at})"


def _check_custody(report: Report, custody_bytes: bytes, manifest: dict[str, Any]) -> None:
    try:
        custody = json.loads(custody_bytes)
        events = custody["events"]
        if not isinstance(events, list) or not all(isinstance(event, dict) for event in events):
            raise ValueError("'events' is not a list of objects")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        report.failed(f"{CUSTODY}: cannot be read as a custody log: {exc}.")
        return
    if custody.get("request_reference") != manifest.get("request_reference"):
        report.failed(f"{CUSTODY}: it is the log of {custody.get('request_reference')!r}, but the manifest is for "
                      f"{manifest.get('request_reference')!r}.")
    broken = 0
    previous = GENESIS_HASH
    for position, event in enumerate(events, start=1):
        label = _event_label(event, position)
        missing = [name for name in (*HASHED_FIELDS, "hash") if name not in event]
        if missing:
            report.failed(f"{label}: lacks {', '.join(missing)}, so its hash cannot be recomputed.")
            return
        if event["sequence"] != position:
            report.failed(f"{label}: out of sequence: expected #{position} here (an event is missing or moved).")
            broken += 1
        if event["prev_hash"] != previous:
            report.failed(f"{label}: broken link: its prev_hash {event['prev_hash']} is not the hash of the event "
                          f"before it, {previous}.")
            broken += 1
        try:
            recomputed = event_hash(event["prev_hash"], event)
        except (AttributeError, TypeError, ValueError) as exc:
            report.failed(f"{label}: its fields are malformed, so its hash cannot be recomputed ({exc}).")
            return
        if recomputed != event["hash"]:
            report.failed(f"{label}: hash mismatch: recorded {event['hash']}, recomputed {recomputed} "
                          "(the event was changed after it was recorded).")
            broken += 1
        previous = event["hash"]
    if not broken:
        report.passed(f"{CUSTODY}: {len(events)} events chain unbroken from the genesis hash to {previous}.")
    if previous != manifest["chain_head"]:
        report.failed(f"{CUSTODY}: the chain ends at {previous}, but the signed manifest's chain_head is "
                      f"{manifest['chain_head']}.")
    else:
        report.passed(f"{CUSTODY}: the chain ends at the signed manifest's chain_head {previous}.")


# --- the whole bundle ------------------------------------------------------------------------

def verify_bundle(path: str | Path, public_key_pem: bytes | None = None) -> Report:
    """Check the bundle at `path`; `public_key_pem` is the trusted key (the one the council publishes)."""
    report = Report(path=str(path))
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.failed(f"{path}: cannot be opened as a ZIP archive: {exc}.")
        return report
    with archive:
        if _archive_refused(report, archive.infolist()):
            return report
        try:
            manifest_bytes = _read_small(archive, MANIFEST, MAX_JSON_BYTES)
            manifest = json.loads(manifest_bytes)
        except (KeyError, ValueError, RecursionError, zipfile.BadZipFile) as exc:
            report.failed(f"{MANIFEST}: missing or unreadable ({exc}); nothing else can be checked.")
            return report
        problem = _manifest_problem(manifest)
        if problem:
            report.failed(f"{MANIFEST}: not a bundle manifest: {problem}.")
            return report
        report.passed(f"{MANIFEST}: request {manifest.get('request_reference')}, {len(manifest['files'])} exhibit "
                      f"file(s), built {manifest.get('built_at')}.")
        try:
            _check_signature(report, archive, manifest_bytes, public_key_pem)
        except ValueError as exc:
            report.failed(f"--public-key: cannot be used: {exc}.")
        _check_files(report, archive, manifest)
        try:
            custody_bytes = _read_small(archive, CUSTODY, MAX_JSON_BYTES)
        except (KeyError, ValueError, zipfile.BadZipFile) as exc:
            report.failed(f"{CUSTODY}: missing or unreadable: {exc}.")
            return report
        _check_custody(report, custody_bytes, manifest)
    return report


def main(argv: list[str] | None = None, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m evidence.verify",
        description="Check a Vale CCTV release bundle: files, hashes, signature and chain of custody.",
    )
    parser.add_argument("bundle", help="the bundle ZIP")
    parser.add_argument("--public-key", help="the council's published Ed25519 public key (PEM) to trust")
    args = parser.parse_args(argv)
    trusted = None
    if args.public_key:
        try:
            trusted = Path(args.public_key).read_bytes()
        except OSError as exc:
            parser.error(f"cannot read --public-key {args.public_key}: {exc.strerror}")
    report = verify_bundle(args.bundle, trusted)
    for line in report.lines():
        out.write(line + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
