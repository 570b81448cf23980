"""The standalone verifier: it passes a genuine bundle and names exactly what a tampered one changed.

It is run as `python -m evidence.verify` by a Python started with -S (no site-packages) whose
path holds only our repository and a copy of `cryptography` with its own dependencies: a
plain Python with only cryptography installed, where importing Django is impossible. The
bundles are built by the real service (bundle_build); the worker's part is in test_bundles.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import cryptography
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings

from evidence import verify
from evidence.bundles import bundle_build, custody_document
from evidence.choices import BundleStatus
from evidence.custody import HASHED_FIELDS, canonical_encoding, event_fields
from evidence.signing import signing_public_key_pem
from tests.evidence.release_factories import FOOTAGE, exported_request, new_bundle

REPO = Path(django_settings.BASE_DIR)
SITE_PACKAGES = Path(cryptography.__file__).parents[1]


@pytest.fixture(autouse=True)
def bundle_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "keys" / "evidence-signing-ed25519.pem"
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = True
    settings.EVIDENCE_BUNDLE_WORK_DIR = tmp_path / "work"


@pytest.fixture(scope="session")
def cryptography_only(tmp_path_factory) -> Path:
    """A folder holding cryptography and what it needs at run time (cffi's backend), and nothing else."""
    folder = tmp_path_factory.mktemp("cryptography-only")
    for name in ("cryptography", "cffi", "pycparser"):
        shutil.copytree(SITE_PACKAGES / name, folder / name)
    for backend in SITE_PACKAGES.glob("_cffi_backend*"):
        shutil.copy(backend, folder / backend.name)
    return folder


@pytest.fixture
def run_verifier(cryptography_only, tmp_path):
    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": f"{REPO}{os.pathsep}{cryptography_only}",
               "LANG": "C.UTF-8"}
        return subprocess.run([sys.executable, "-S", "-m", "evidence.verify", *map(str, args)], env=env,
                              cwd=cwd or tmp_path, capture_output=True, text=True, timeout=60)
    return run


@pytest.fixture
def arranged(council, officer, operator):
    return exported_request(owner=council, requester=officer, operator=operator)


@pytest.fixture
def bundle_zip(arranged, cctv_manager, tmp_path) -> Path:
    bundle = bundle_build(new_bundle(arranged.request, cctv_manager))
    assert bundle.status == BundleStatus.READY, bundle.error
    copy = tmp_path / "ER-2026-00042.zip"
    with bundle.file.open("rb") as stored:
        copy.write_bytes(stored.read())
    return copy


@pytest.fixture
def trusted_key(tmp_path) -> Path:
    path = tmp_path / "published-key.pem"
    path.write_bytes(signing_public_key_pem())
    return path


def rewrite(source: Path, target: Path, *, replace: dict[str, bytes] | None = None,
            add: dict[str, bytes] | None = None) -> Path:
    """A copy of the ZIP with some members' bytes replaced (CRCs consistent, as a careful forger would)."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, replace.get(info.filename, old.read(info.filename)))
        for name, data in add.items():
            new.writestr(zipfile.ZipInfo(name), data)
    return target


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_the_verifier_encodes_custody_events_exactly_as_the_service_hashes_them(arranged):
    events = list(arranged.request.custody_events.order_by("sequence"))
    exported = json.loads(custody_document(arranged.request, events))["events"]
    assert verify.HASHED_FIELDS == HASHED_FIELDS and verify.GENESIS_HASH == "0" * 64
    assert len(exported) == len(events) == 7
    for event, row in zip(events, exported, strict=True):
        assert verify.canonical_encoding(row) == canonical_encoding(event_fields(event))
        assert verify.event_hash(row["prev_hash"], row) == event.hash == row["hash"]
    # The exported event with non-ASCII detail is encoded as UTF-8, not escaped, on both sides.
    assert "café".encode() in verify.canonical_encoding(exported[4])


def test_a_genuine_bundle_passes_in_a_python_that_has_only_cryptography(bundle_zip, trusted_key, run_verifier,
                                                                          cryptography_only):
    no_django = subprocess.run([sys.executable, "-S", "-c", "import django"], capture_output=True, text=True,
                               env={"PYTHONPATH": f"{REPO}{os.pathsep}{cryptography_only}"})
    assert "No module named 'django'" in no_django.stderr

    result = run_verifier(bundle_zip, "--public-key", trusted_key)

    assert result.returncode == 0, result.stdout + result.stderr
    footage_sha = hashlib.sha256(FOOTAGE).hexdigest()
    assert f"OK   exhibits/OP_1.mp4: 10255 bytes, SHA-256 {footage_sha} as in the manifest." in result.stdout
    assert "OK   exhibits/OP_2.jpg" in result.stdout
    assert "OK   manifest.sig: valid Ed25519 signature of manifest.json by the trusted key" in result.stdout
    assert "OK   custody.json: 7 events chain unbroken from the genesis hash" in result.stdout
    assert "FAIL" not in result.stdout and "WARN" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("RESULT: PASS: every check on ")


def test_without_a_trusted_key_the_bundled_key_is_used_with_a_warning(bundle_zip, run_verifier):
    result = run_verifier(bundle_zip)
    assert result.returncode == 0, result.stdout
    assert "WARN No --public-key given" in result.stdout
    assert "proves the files are as they were signed, not who signed them" in result.stdout


def test_one_byte_changed_in_an_exhibit_fails_naming_the_file_and_both_hashes(bundle_zip, trusted_key, run_verifier,
                                                                               tmp_path):
    altered = bytearray(FOOTAGE)
    altered[5000] ^= 0x01
    forged = rewrite(bundle_zip, tmp_path / "forged.zip", replace={"exhibits/OP_1.mp4": bytes(altered)})

    result = run_verifier(forged, "--public-key", trusted_key)

    assert result.returncode == 1
    expected = (f"FAIL exhibits/OP_1.mp4: SHA-256 mismatch: manifest {hashlib.sha256(FOOTAGE).hexdigest()}, "
                f"file {hashlib.sha256(altered).hexdigest()}.")
    assert expected in result.stdout.splitlines()
    assert "OK   exhibits/OP_2.jpg" in result.stdout  # only the altered file is named
    assert "RESULT: FAIL: 1 check(s)" in result.stdout


def test_a_byte_flipped_in_place_inside_the_zip_fails_naming_the_file(bundle_zip, trusted_key, run_verifier):
    raw = bytearray(bundle_zip.read_bytes())
    offset = raw.find(FOOTAGE[:600])  # stored uncompressed, so the footage's bytes are in the ZIP as they are
    assert offset > 0
    raw[offset + 300] ^= 0xFF
    bundle_zip.write_bytes(bytes(raw))

    result = run_verifier(bundle_zip, "--public-key", trusted_key)

    assert result.returncode == 1
    assert "FAIL exhibits/OP_1.mp4: altered or damaged inside the archive (Bad CRC-32" in result.stdout


def test_a_changed_custody_event_fails_naming_that_event(bundle_zip, trusted_key, run_verifier, tmp_path):
    custody = json.loads(member(bundle_zip, "custody.json"))
    assert custody["events"][4]["place"] == "Barry monitoring centre"
    custody["events"][4]["place"] = "Sully monitoring centre"  # same length, so the size still matches
    encoded = json.dumps(custody, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"
    forged = rewrite(bundle_zip, tmp_path / "forged.zip", replace={"custody.json": encoded})

    result = run_verifier(forged, "--public-key", trusted_key)

    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert lines[0] == "FAIL custody.json: SHA-256 mismatch: manifest " + hashlib.sha256(
        member(bundle_zip, "custody.json")).hexdigest() + ", file " + hashlib.sha256(
        member(forged, "custody.json")).hexdigest() + "."
    assert lines[1].startswith("FAIL custody event #5 (exported at 2026-03-14T10:05:00.000000+00:00): hash mismatch: "
                               f"recorded {custody['events'][4]['hash']}, recomputed ")
    assert len(lines) == 2


def test_a_rehashed_custody_log_fails_against_the_signed_chain_head(bundle_zip, trusted_key, run_verifier, tmp_path):
    """A forger who recomputes every hash after removing an event still cannot match the signed chain head."""
    custody = json.loads(member(bundle_zip, "custody.json"))
    events = [event for event in custody["events"] if event["sequence"] != 2]
    previous = verify.GENESIS_HASH
    for sequence, event in enumerate(events, start=1):
        event["sequence"], event["prev_hash"] = sequence, previous
        event["hash"] = previous = verify.event_hash(previous, event)
    custody["events"] = events
    forged = rewrite(bundle_zip, tmp_path / "forged.zip", replace={"custody.json": json.dumps(custody).encode()})

    result = run_verifier(forged, "--public-key", trusted_key)

    assert result.returncode == 1
    assert "OK   custody.json: 6 events chain unbroken from the genesis hash" in result.stdout
    manifest = json.loads(member(bundle_zip, "manifest.json"))
    assert (f"FAIL custody.json: the chain ends at {previous}, but the signed manifest's chain_head is "
            f"{manifest['chain_head']}.") in result.stdout


def test_a_manifest_signed_by_another_key_fails_against_the_trusted_key(bundle_zip, trusted_key, run_verifier,
                                                                         tmp_path):
    other = Ed25519PrivateKey.generate()
    manifest = member(bundle_zip, "manifest.json")
    other_pem = other.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    forged = rewrite(bundle_zip, tmp_path / "forged.zip",
                     replace={"manifest.sig": other.sign(manifest), "public-key.pem": other_pem})

    trusted = run_verifier(forged, "--public-key", trusted_key)
    assert trusted.returncode == 1
    assert ("FAIL manifest.sig: the Ed25519 signature does not verify with the trusted key given with --public-key"
            in trusted.stdout)
    assert "WARN The bundle's own public-key.pem" in trusted.stdout

    # With only the forger's own key in the bundle, integrity holds but origin is unproven: hence the warning.
    untrusted = run_verifier(forged)
    assert untrusted.returncode == 0
    assert "WARN No --public-key given" in untrusted.stdout


def test_a_path_traversal_entry_is_refused_without_reading_or_extracting_anything(bundle_zip, trusted_key,
                                                                                   run_verifier, tmp_path):
    forged = rewrite(bundle_zip, tmp_path / "forged.zip", add={"../../etc/passwd": b"root::0:0::/:/bin/sh\n"})
    workdir = tmp_path / "a" / "b"
    workdir.mkdir(parents=True)
    before = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*"))

    result = run_verifier(forged, "--public-key", trusted_key, cwd=workdir)

    assert result.returncode == 1
    assert ("FAIL '../../etc/passwd': refused: the entry has '..' in its path (path traversal: it would land outside "
            "the folder it is extracted to).") in result.stdout
    assert "nothing in it was read or extracted" in result.stdout
    assert "manifest.json" not in result.stdout  # refused before reading the manifest
    assert sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*")) == before
    assert b"root::0:0" not in Path("/etc/passwd").read_bytes()


def test_an_absolute_path_entry_is_refused(bundle_zip, trusted_key, run_verifier, tmp_path):
    forged = rewrite(bundle_zip, tmp_path / "forged.zip", add={"/tmp/evil": b"x"})
    result = run_verifier(forged, "--public-key", trusted_key)
    assert result.returncode == 1
    assert "FAIL '/tmp/evil': refused: the entry has an absolute path." in result.stdout


def test_an_extra_file_and_a_missing_file_are_both_named(bundle_zip, trusted_key, tmp_path):
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(bundle_zip) as old, zipfile.ZipFile(forged, "w") as new:
        for info in old.infolist():
            if info.filename != "exhibits/OP_2.jpg":
                new.writestr(info, old.read(info.filename))
        new.writestr("exhibits/OP_3.mp4", b"planted")

    report = verify.verify_bundle(forged, trusted_key.read_bytes())

    assert not report.ok
    assert report.failures == [
        "exhibits/OP_3.mp4: unexpected file: it is not listed in the manifest.",
        "exhibits/OP_2.jpg: missing: the manifest lists it but the archive does not hold it.",
    ]


def test_verify_bundle_is_importable_and_reports_every_check(bundle_zip, trusted_key):
    report = verify.verify_bundle(bundle_zip, trusted_key.read_bytes())
    assert report.ok and report.warnings == []
    # manifest, signature, 2 exhibits + custody.json + continuity.txt, chain, chain head.
    assert len(report.checks) == 8


def test_a_file_that_is_not_a_zip_fails_cleanly(tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"not a zip")
    report = verify.verify_bundle(path)
    assert not report.ok and "cannot be opened as a ZIP archive" in report.failures[0]


def test_a_malformed_custody_event_is_reported_not_a_crash(bundle_zip, trusted_key, tmp_path):
    custody = json.loads(member(bundle_zip, "custody.json"))
    custody["events"][2]["prev_hash"] = 12345
    forged = rewrite(bundle_zip, tmp_path / "forged.zip", replace={"custody.json": json.dumps(custody).encode()})

    report = verify.verify_bundle(forged, trusted_key.read_bytes())

    assert not report.ok
    assert report.failures[-1].startswith("custody event #3 (searching at 2026-03-14T09:20:00.000000+00:00): its "
                                          "fields are malformed")
