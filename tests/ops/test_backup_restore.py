"""bin/backup, bin/restore and bin/verify-restore: the demo goes out and comes back whole, and tampering shows.

The scripts run as an operator runs them, as processes with the service's environment, against the
test database (the source) and a database created by bin/restore (the copy, dropped afterwards).
The test checks the copy on its own as well, rather than trusting bin/verify-restore: every table's
row count, every chain head, every exhibit's SHA-256, and that the triggers came back working.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import subprocess
import tarfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from evidence.bundles import bundle_build
from evidence.choices import BundleStatus
from evidence.models import EvidenceRequest, Exhibit, ReleaseBundle
from evidence.services.release import BUNDLE_STATES
from evidence.signing import signing_key_create, signing_private_key
from evidence.verification import chains_verify
from tests.evidence.release_factories import exported_request
from tests.ops.conftest import database_url

pytestmark = pytest.mark.django_db(transaction=True)

BIN = Path(django_settings.BASE_DIR) / "bin"
TABLES = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'spatial_ref_sys' ORDER BY 1"""


@pytest.fixture(autouse=True)
def source_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "source" / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "source" / "keys" / "evidence-signing-ed25519.pem"
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = True
    settings.EVIDENCE_BUNDLE_WORK_DIR = tmp_path / "work"


@pytest.fixture
def copy_database():
    """The name bin/restore is given for the copy; the database is dropped however the test ends."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    yield name
    with connection.cursor() as cursor:  # autocommit: DROP DATABASE cannot run in a transaction
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    started = time.perf_counter()
    result = subprocess.run([str(BIN / script), *args], env=env, capture_output=True, text=True, timeout=300)
    result.seconds = time.perf_counter() - started
    return result


def script_env(*, database: str, media_root: Path, key_file: Path, var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    env.update({"DATABASE_URL": database, "MEDIA_ROOT": str(media_root), "EVIDENCE_SIGNING_KEY_FILE": str(key_file),
                "VAR_DIR": str(var_dir), "DEBUG": "false", "SECRET_KEY": django_settings.SECRET_KEY})
    return env


def source_env(tmp_path) -> dict[str, str]:
    return script_env(database=database_url(), media_root=Path(django_settings.MEDIA_ROOT),
                      key_file=Path(django_settings.EVIDENCE_SIGNING_KEY_FILE), var_dir=tmp_path / "source")


def copy_env(tmp_path, database: str) -> dict[str, str]:
    return script_env(database=database_url(NAME=database), media_root=tmp_path / "copy" / "media",
                      key_file=tmp_path / "copy" / "keys" / "evidence-signing-ed25519.pem", var_dir=tmp_path / "copy")


def connect(database: str) -> psycopg.Connection:
    info = connection.settings_dict
    return psycopg.connect(dbname=database, user=info["USER"], password=info["PASSWORD"],
                           host=info["HOST"] or "127.0.0.1", port=info["PORT"] or 5432, autocommit=True)


def row_counts(cursor) -> dict[str, int]:
    cursor.execute(TABLES)
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def chain_heads(cursor) -> dict[str, tuple[int, str]]:
    cursor.execute("""SELECT r.reference, e.sequence, e.hash FROM evidence_evidencerequest r
                      JOIN evidence_custodyevent e ON e.request_id = r.id
                      WHERE e.sequence = (SELECT max(sequence) FROM evidence_custodyevent WHERE request_id = r.id)""")
    return {reference: (sequence, head) for reference, sequence, head in cursor.fetchall()}


def build_bundles(manager) -> list[ReleaseBundle]:
    """Two ready bundles signed by two keys, the first retired between them, as after a key rotation."""
    requests = EvidenceRequest.objects.filter(state__in=BUNDLE_STATES, exhibits__isnull=False).distinct()
    first, second = requests.order_by("reference")[:2]
    built = [bundle_build(ReleaseBundle.objects.create(request=first, requested_by=manager))]
    signing_key_create(replace=True)
    built.append(bundle_build(ReleaseBundle.objects.create(request=second, requested_by=manager)))
    assert [bundle.status for bundle in built] == [BundleStatus.READY] * 2, [bundle.error for bundle in built]
    return built


@pytest.fixture
def vale_demo():
    for command in ("load_vale_demo", "load_vale_incidents", "load_vale_evidence"):
        call_command(command, stdout=io.StringIO())
    signing_private_key()
    return build_bundles(User.objects.get(username="manager"))


def test_the_demo_restored_into_a_fresh_database_verifies_whole_and_its_triggers_still_hold(vale_demo, copy_database,
                                                                                              tmp_path):
    backup = tmp_path / "backup"
    with connection.cursor() as cursor:
        source_counts, source_heads = row_counts(cursor), chain_heads(cursor)
    assert all(report.ok for report in chains_verify())

    made = run("backup", str(backup), env=source_env(tmp_path))
    assert made.returncode == 0, made.stderr

    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    assert {path.name for path in backup.iterdir()} == {"database.dump", "media.tar", "row-counts.tsv",
                                                        "triggers.tsv", "manifest.txt", "SHA256SUMS", "signing-keys"}
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in backup.rglob("*") if path.is_file())
    assert sorted(path.name for path in (backup / "signing-keys").iterdir()) == [
        re.sub(r"\.pem$", ".public.pem", path.name) for path in sorted(Path(django_settings.EVIDENCE_SIGNING_KEY_FILE)
                                                                      .parent.glob("*.pem"))]
    assert not any(b"PRIVATE KEY" in path.read_bytes() for path in backup.rglob("*") if path.is_file())
    with tarfile.open(backup / "media.tar") as archive:
        archived = {member.name.removeprefix("./") for member in archive.getmembers() if member.isfile()}
    assert {exhibit.file.name for exhibit in Exhibit.objects.all()} <= archived
    assert {bundle.file.name for bundle in vale_demo} <= archived

    restored = run("restore", str(backup), env=copy_env(tmp_path, copy_database))
    assert restored.returncode == 0, restored.stderr
    assert "the private signing key is not at" in restored.stdout  # it is never in a backup

    verified = run("verify-restore", str(backup), env=copy_env(tmp_path, copy_database))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert re.findall(r"^(OK|FAIL)\s+([a-z ]+):", verified.stdout, re.M) == [
        ("OK", "row counts"), ("OK", "triggers"), ("OK", "custody chains"), ("OK", "exhibit files"),
        ("OK", "release bundles")]
    assert "2 ready bundles checked against 2 public key(s)" in verified.stdout

    with connect(copy_database) as copy, copy.cursor() as cursor:
        assert row_counts(cursor) == source_counts
        assert chain_heads(cursor) == source_heads
    copy_media = tmp_path / "copy" / "media"
    for exhibit in Exhibit.objects.filter(disposed_at__isnull=True):
        assert hashlib.sha256((copy_media / exhibit.file.name).read_bytes()).hexdigest() == exhibit.sha256
    assert_triggers_work(copy_database)


def assert_triggers_work(database: str) -> None:
    """The custody log is still append-only, and camera changes are still recorded, in the copy."""
    with connect(database) as copy, copy.cursor() as cursor:
        for statement in ("UPDATE evidence_custodyevent SET place = 'rewritten' WHERE sequence = 1",
                          "DELETE FROM evidence_custodyevent", "TRUNCATE evidence_custodyevent"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="the chain of custody is append-only"):
                cursor.execute(statement)
        # The estate-history trigger on cameras is the one a plain `pg_dump | psql` restore silently loses.
        cursor.execute("SELECT count(*) FROM cctv_cameraevent")
        before = cursor.fetchone()[0]
        cursor.execute("UPDATE cctv_camera SET name = name || ' (restored)' WHERE asset_ref = 'VOG-001'")
        cursor.execute("SELECT count(*) FROM cctv_cameraevent")
        assert cursor.fetchone()[0] == before + 1


def test_verify_restore_names_a_missing_file_a_changed_exhibit_a_rewritten_event_and_a_dropped_trigger(
        council, officer, operator, copy_database, tmp_path):
    arranged = exported_request(owner=council, requester=officer, operator=operator)
    signing_private_key()
    backup = tmp_path / "backup"
    assert run("backup", str(backup), env=source_env(tmp_path)).returncode == 0
    assert run("restore", str(backup), env=copy_env(tmp_path, copy_database)).returncode == 0
    copy_media = tmp_path / "copy" / "media"

    (copy_media / arranged.footage.file.name).unlink()
    changed = copy_media / arranged.still.file.name
    changed.write_bytes(changed.read_bytes()[:-1] + b"\x00")
    with connect(copy_database) as copy, copy.cursor() as cursor:
        # Only the table's owner can do this, as an attacker with the database's password could.
        cursor.execute("ALTER TABLE evidence_custodyevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE evidence_custodyevent SET place = 'Somewhere else' WHERE sequence = 5")
        cursor.execute("ALTER TABLE evidence_custodyevent ENABLE TRIGGER USER")
        cursor.execute("DROP TRIGGER pgtrigger_update_update_4af01 ON cctv_camera")

    verified = run("verify-restore", str(backup), env=copy_env(tmp_path, copy_database))

    assert verified.returncode == 1, verified.stdout + verified.stderr
    out = verified.stdout
    assert "FAIL  triggers" in out and "trigger pgtrigger_update_update_4af01 on cctv_camera is missing" in out
    assert "FAIL  custody chains" in out
    assert "ER-2026-00042: broken at event 5" in out and "hash does not match its contents" in out
    assert "FAIL  exhibit files" in out
    assert f"exhibit {arranged.footage.pk} (OP/1): {arranged.footage.file.name} is missing" in out
    assert f"exhibit {arranged.still.pk} (OP/2): {arranged.still.size_bytes} bytes, SHA-256" in out
    assert "OK    row counts" in out and "FAILED: 4 problem(s)" in out


def database_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone()[0] == 1


def test_restore_refuses_a_used_database_a_foreign_signing_key_and_a_damaged_backup_writing_nothing(
        council, officer, operator, copy_database, tmp_path):
    exported_request(owner=council, requester=officer, operator=operator)
    signing_private_key()
    backup = tmp_path / "backup"
    assert run("backup", str(backup), env=source_env(tmp_path)).returncode == 0
    assert run("restore", str(backup), env=copy_env(tmp_path, copy_database)).returncode == 0
    elsewhere = {"MEDIA_ROOT": str(tmp_path / "another")}

    again = run("restore", str(backup), env={**copy_env(tmp_path, copy_database), **elsewhere})
    assert again.returncode == 1
    assert re.search(rf"database {copy_database} already holds \d+ tables: restore into a new database", again.stderr)

    foreign_key = tmp_path / "foreign" / "evidence-signing-ed25519.pem"
    foreign_key.parent.mkdir()
    foreign_key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    foreign = run("restore", str(backup), env={**copy_env(tmp_path, f"{copy_database}_x"), **elsewhere,
                                               "EVIDENCE_SIGNING_KEY_FILE": str(foreign_key)})
    assert foreign.returncode == 1
    assert f"the private key at {foreign_key} is not the one this backup was made with" in foreign.stderr

    dump = backup / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    damaged = run("restore", str(backup), env={**copy_env(tmp_path, f"{copy_database}_x"), **elsewhere})
    assert damaged.returncode == 1
    assert "the backup's files do not match SHA256SUMS" in damaged.stderr

    assert not (tmp_path / "another").exists() and not database_exists(f"{copy_database}_x")
