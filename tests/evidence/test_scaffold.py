"""The custody guard and the factories hold before anything is built on them."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from evidence.custody import custody_event_append, event_fields, event_hash
from evidence.models.custody import GENESIS_HASH
from tests.evidence.factories import EvidenceRequestFactory, ExhibitFactory


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_custody_events_chain_from_the_genesis_hash(db):
    request = EvidenceRequestFactory(with_created_event=True)
    with transaction.atomic():
        second = custody_event_append(request=request, event_type="accepted", actor=None)
    first = request.custody_events.get(sequence=1)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash
    assert second.hash == event_hash(first.hash, event_fields(second))


@pytest.mark.parametrize("statement", [
    "UPDATE evidence_custodyevent SET place = 'elsewhere'",
    "DELETE FROM evidence_custodyevent",
    "TRUNCATE evidence_custodyevent",
])
def test_the_database_refuses_to_change_the_custody_log(db, statement):
    EvidenceRequestFactory(with_created_event=True)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # so TRUNCATE meets our trigger, not pending FK checks
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_exhibit_factory_stores_bytes_matching_its_hash(db):
    import hashlib

    exhibit = ExhibitFactory()
    with exhibit.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == exhibit.sha256
