"""Verifying the chain of custody, its command and API, and the daily digest that anchors its heads."""

import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.choices import OrganisationKind, Role
from config.celery import app as celery_app
from config.schedule import BEAT_SCHEDULE
from evidence.choices import CustodyEventType
from evidence.custody import chain_head, custody_event_append, event_fields, event_hash
from evidence.digest import custody_digest_build, custody_digest_send, custody_digests_build, digest_path
from evidence.models import CustodyEvent
from evidence.models.custody import GENESIS_HASH
from evidence.tasks_custody import custody_digest_send_task
from evidence.verification import BrokenLink, ChainReport, chain_verify, chains_verify
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.evidence.factories import EvidenceRequestFactory

START = dt.datetime(2026, 3, 5, 22, 40, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
DIGEST_DAY = dt.date(2026, 3, 7)
DIGEST_READ_AT = dt.datetime(2026, 3, 7, 6, 0, tzinfo=dt.UTC)  # 06:00 GMT: London is on UTC in March
CONTENTS = "hash does not match its contents"

# The statements a tamperer needs, whole (no SQL built from strings): each switches one guard off.
TRIGGER_OFF = {
    "update": "ALTER TABLE evidence_custodyevent DISABLE TRIGGER custody_no_update",
    "delete": "ALTER TABLE evidence_custodyevent DISABLE TRIGGER custody_no_delete",
}
TRIGGER_ON = {
    "update": "ALTER TABLE evidence_custodyevent ENABLE TRIGGER custody_no_update",
    "delete": "ALTER TABLE evidence_custodyevent ENABLE TRIGGER custody_no_delete",
}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def evidence_request(council, force, officer):
    return EvidenceRequestFactory(reference="ER-2026-00001", owner=council, requester=officer,
                                  requester_organisation=force)


def append_chain(request, actor, count: int, *, start: dt.datetime = START) -> list[CustodyEvent]:
    """`count` events a minute apart, through the real service, the first of them 'created'."""
    kinds = [CustodyEventType.CREATED, CustodyEventType.ACCEPTED, CustodyEventType.SEARCHING,
             CustodyEventType.EXPORTED, CustodyEventType.HANDED_OVER]
    events = []
    for n in range(count):
        with transaction.atomic():
            events.append(custody_event_append(
                request=request, event_type=kinds[n % len(kinds)], actor=actor, place="Barry control room",
                detail={"step": n + 1}, at=start + n * MINUTE,
            ))
    return events


@pytest.fixture
def chain(evidence_request, operator):
    return append_chain(evidence_request, operator, 5)


def tamper(statement: str, params: list, *, guard: str = "update") -> None:
    """Change the log as an attacker with the table owner's rights would: guard off, change, guard on."""
    with transaction.atomic(), connection.cursor() as cursor:
        # ALTER TABLE refuses while the test's own inserts have deferred foreign-key checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(TRIGGER_OFF[guard])
        cursor.execute(statement, params)
        cursor.execute(TRIGGER_ON[guard])
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def rewrite(event: CustodyEvent, **changes) -> str:
    """Change an event's fields and store a hash recomputed to match them: a one-event forgery."""
    for name, value in changes.items():
        setattr(event, name, value)
    forged = event_hash(event.prev_hash, event_fields(event))
    tamper("UPDATE evidence_custodyevent SET place = %s, prev_hash = %s, hash = %s WHERE id = %s",
           [event.place, event.prev_hash, forged, event.pk])
    return forged


# --- The chain verifies -------------------------------------------------------------------------

def test_a_chain_appended_through_the_service_verifies(evidence_request, chain):
    assert chain_verify(evidence_request) == ChainReport(
        request_id=evidence_request.pk, reference="ER-2026-00001", owner_id=evidence_request.owner_id,
        events=5, head=chain[-1].hash, first_broken=None,
    )
    assert chain_head(evidence_request) == chain[-1].hash


def test_the_first_event_hash_is_sha256_of_the_genesis_hash_and_the_canonical_json(evidence_request, operator):
    first = append_chain(evidence_request, operator, 1)[0]
    canonical = (
        f'{{"actor_id":{operator.pk},"actor_name":"operator","actor_organisation":"Cardiff Council CCTV Control Room",'
        '"at":"2026-03-05T22:40:00.000000+00:00","detail":{"step":1},"event_type":"created",'
        '"exhibit_id":null,"exhibit_reference":"","exhibit_sha256":"","from_person":"",'
        f'"place":"Barry control room","prev_hash":"{GENESIS_HASH}","request_id":{evidence_request.pk},'
        '"sequence":1,"to_person":""}'
    )
    assert first.hash == hashlib.sha256((GENESIS_HASH + canonical).encode()).hexdigest()
    assert chain_verify(evidence_request).ok


def test_details_survive_the_round_trip_through_jsonb_and_still_verify(evidence_request, operator):
    # jsonb reorders keys and normalises text; the canonical encoding sorts keys, so both sides agree.
    with transaction.atomic():
        custody_event_append(
            request=evidence_request, event_type=CustodyEventType.HANDED_OVER, actor=operator,
            from_person="PC 1234 Jones", to_person="DC 77 Prys-Williams", place="Heol Ŵyn, Y Barri",
            detail={"zeta": [1, 2.5, None, True], "alpha": {"nested": "café ☕"}, "count": 10**15}, at=START,
        )
    assert chain_verify(evidence_request).ok


def test_a_request_without_events_is_an_empty_chain_headed_by_the_genesis_hash(evidence_request):
    report = chain_verify(evidence_request)
    assert (report.ok, report.events, report.head) == (True, 0, GENESIS_HASH)


# --- The database keeps it append-only ----------------------------------------------------------

def test_saving_an_existing_event_through_the_orm_is_refused(evidence_request, chain):
    event = CustodyEvent.objects.get(pk=chain[2].pk)
    event.place = "Somewhere else"
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
        event.save()
    assert CustodyEvent.objects.get(pk=chain[2].pk).place == "Barry control room"
    assert chain_verify(evidence_request).ok


def test_deleting_an_event_through_the_orm_is_refused(evidence_request, chain):
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        CustodyEvent.objects.get(pk=chain[2].pk).delete()
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        CustodyEvent.objects.filter(request=evidence_request).delete()
    assert chain_verify(evidence_request).events == 5


# --- Tampering is found, at the first broken event ----------------------------------------------

def test_changing_one_field_of_event_3_breaks_event_3_for_its_contents(evidence_request, chain):
    tamper("UPDATE evidence_custodyevent SET place = %s WHERE id = %s", ["Somewhere else", chain[2].pk])
    report = chain_verify(evidence_request)
    assert report.first_broken == BrokenLink(sequence=3, event_id=chain[2].pk, reason=CONTENTS)
    # The rest of the chain is still counted, and the stored head reported, for comparison with anchors.
    assert (report.ok, report.events, report.head) == (False, 5, chain[-1].hash)


def test_rewriting_event_3_with_a_matching_hash_is_caught_at_event_4(evidence_request, chain):
    rewrite(chain[2], place="Somewhere else")
    assert chain_verify(evidence_request).first_broken == BrokenLink(
        sequence=4, event_id=chain[3].pk, reason="prev_hash does not match event 3's hash")


def test_an_event_removed_from_the_middle_is_a_sequence_gap(evidence_request, chain):
    tamper("DELETE FROM evidence_custodyevent WHERE id = %s", [chain[2].pk], guard="delete")
    report = chain_verify(evidence_request)
    assert report.first_broken == BrokenLink(sequence=4, event_id=chain[3].pk,
                                             reason="sequence gap: expected event 3, found event 4")
    assert report.events == 4


def test_a_first_event_that_does_not_start_from_the_genesis_hash_is_broken(evidence_request, chain):
    rewrite(chain[0], prev_hash="f" * 64)
    assert chain_verify(evidence_request).first_broken == BrokenLink(
        sequence=1, event_id=chain[0].pk, reason="prev_hash is not the genesis hash")


def test_a_chain_rewritten_whole_verifies_but_its_head_no_longer_matches_the_digest(evidence_request, chain):
    # What verification alone cannot catch, and why the head is kept outside the database.
    emailed_line = custody_digests_build(DIGEST_DAY, now=DIGEST_READ_AT)[0].lines[0]
    prev = chain[1].hash
    for event in chain[2:]:
        event.prev_hash = prev
        prev = rewrite(event, place="Somewhere else")
    report = chain_verify(evidence_request)
    assert report.ok and report.head == prev != chain[-1].hash
    assert emailed_line == f"ER-2026-00001 5 {chain[-1].hash} verified"


def test_all_chains_are_verified_in_one_query_each_on_its_own(evidence_request, chain, council, force, officer,
                                                             operator):
    second = EvidenceRequestFactory(reference="ER-2026-00002", owner=council, requester=officer,
                                    requester_organisation=force)
    empty = EvidenceRequestFactory(reference="ER-2026-00003", owner=council, requester=officer,
                                   requester_organisation=force)
    second_chain = append_chain(second, operator, 3, start=START + dt.timedelta(hours=1))
    tamper("UPDATE evidence_custodyevent SET detail = %s WHERE id = %s", ['{"step": 99}', chain[2].pk])
    with CaptureQueriesContext(connection) as queries:
        reports = list(chains_verify(chunk_size=2))  # chunks smaller than a chain: reports must not split
    selects = [query["sql"] for query in queries.captured_queries if "SELECT" in query["sql"]]
    assert len(selects) == 1
    assert [(r.reference, r.events, r.head, r.first_broken) for r in reports] == [
        ("ER-2026-00001", 5, chain[-1].hash, BrokenLink(sequence=3, event_id=chain[2].pk, reason=CONTENTS)),
        ("ER-2026-00002", 3, second_chain[-1].hash, None),
        ("ER-2026-00003", 0, GENESIS_HASH, None),
    ]
    assert [r.reference for r in chains_verify([empty, second])] == ["ER-2026-00002", "ER-2026-00003"]


# --- Concurrent appends -------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_unbroken_chain(council, force, officer, operator):
    # Why this needs the advisory lock in custody_event_append: without it, two transactions read
    # the same head N (READ COMMITTED shows each the last committed event), both build event N+1
    # with prev_hash = hash(N), and the second insert waits on the unique indexes and then fails
    # (IntegrityError on custody_sequence_unique_per_request), so appends are lost; without the
    # unique constraints too, both would commit and the chain would fork at N. Run five times with
    # evidence.custody._chain_lock replaced by a no-op, this test failed every time: 7 of the 8
    # workers stopped at an IntegrityError on custody_sequence_unique_per_request, and only 25 to 29
    # of the 200 events were written.
    request = EvidenceRequestFactory(owner=council, requester=officer, requester_organisation=force)
    workers, per_worker = 8, 25
    barrier = threading.Barrier(workers)
    errors = []

    def append_many(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(per_worker):
                with transaction.atomic():
                    custody_event_append(request=request, event_type=CustodyEventType.VIEWED, actor=operator,
                                         detail={"worker": worker, "n": n})
        except Exception as exc:  # collected and asserted below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append_many, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = list(CustodyEvent.objects.filter(request=request).order_by("sequence"))
    assert [event.sequence for event in events] == list(range(1, workers * per_worker + 1))
    assert [event.prev_hash for event in events] == [GENESIS_HASH] + [event.hash for event in events[:-1]]
    assert chain_verify(request) == ChainReport(request_id=request.pk, reference=request.reference,
                                                owner_id=council.pk, events=200, head=events[-1].hash,
                                                first_broken=None)
    for worker in range(workers):  # each worker's own appends kept their order
        mine = [event.detail["n"] for event in events if event.detail["worker"] == worker]
        assert mine == list(range(per_worker))


# --- The API ------------------------------------------------------------------------------------

def test_the_custody_log_lists_every_event_oldest_first(client, evidence_request, chain, cctv_manager,
                                                        django_assert_max_num_queries):
    client.force_login(cctv_manager)
    with django_assert_max_num_queries(8):  # session, user, sharing, request, events + session save: none per event
        body = client.get(f"/api/evidence/custody/{evidence_request.pk}").json()
    assert (body["request_id"], body["reference"], body["head"]) == (evidence_request.pk, "ER-2026-00001",
                                                                     chain[-1].hash)
    assert [(e["sequence"], e["event_type"], e["prev_hash"], e["hash"]) for e in body["events"]] == [
        (1, "created", GENESIS_HASH, chain[0].hash), (2, "accepted", chain[0].hash, chain[1].hash),
        (3, "searching", chain[1].hash, chain[2].hash), (4, "exported", chain[2].hash, chain[3].hash),
        (5, "handed_over", chain[3].hash, chain[4].hash),
    ]
    first = body["events"][0]
    assert (first["actor_name"], first["actor_organisation"], first["place"], first["detail"]) == (
        "operator", "Cardiff Council CCTV Control Room", "Barry control room", {"step": 1})
    assert dt.datetime.fromisoformat(first["at"]) == START


def test_the_verify_endpoint_reports_an_intact_chain(client, evidence_request, chain, auditor):
    client.force_login(auditor)
    response = client.get(f"/api/evidence/custody/{evidence_request.pk}/verify")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "events": 5, "head": chain[-1].hash, "first_broken": None}


def test_the_verify_endpoint_points_at_the_first_broken_event(client, evidence_request, chain, cctv_manager):
    tamper("UPDATE evidence_custodyevent SET place = %s WHERE id = %s", ["Somewhere else", chain[2].pk])
    client.force_login(cctv_manager)
    assert client.get(f"/api/evidence/custody/{evidence_request.pk}/verify").json() == {
        "ok": False, "events": 5, "head": chain[-1].hash, "first_broken": {"sequence": 3, "reason": CONTENTS},
    }


@pytest.mark.parametrize(("role", "log_status", "verify_status"), [
    (Role.CCTV_MANAGER, 200, 200),
    (Role.OPERATOR, 200, 200),        # the contractor monitoring the council's estate
    (Role.AUDITOR, 200, 200),
    (Role.ADMIN, 200, 200),
    (Role.POLICE_REQUESTER, 200, 403),  # the requesting force reads its log, verifying is the council's job
    ("police_other", 404, 404),       # another force's request does not exist for them
    (Role.ENGINEER, 404, 404),
    (Role.OG_MEMBER, 404, 404),
])
def test_custody_access_matrix(client, people, evidence_request, chain, role, log_status, verify_status):
    client.force_login(people[role])
    log = client.get(f"/api/evidence/custody/{evidence_request.pk}")
    verify = client.get(f"/api/evidence/custody/{evidence_request.pk}/verify")
    assert (log.status_code, verify.status_code) == (log_status, verify_status)
    if log_status == 404:
        assert log.json() == {"detail": f"Evidence request {evidence_request.pk} not found."}


def test_an_unknown_request_reads_exactly_like_another_forces(client, evidence_request, officer_other_force):
    client.force_login(officer_other_force)
    assert client.get("/api/evidence/custody/999999/verify").json() == {
        "detail": "Evidence request 999999 not found."}


def test_the_custody_api_needs_authentication(client, evidence_request):
    assert client.get(f"/api/evidence/custody/{evidence_request.pk}").status_code == 401


# --- The verify_custody command -----------------------------------------------------------------

def run_command(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_custody", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_the_command_prints_each_chain_ok_with_its_head_and_exits_0(evidence_request, chain):
    status, output = run_command()
    lines = output.splitlines()
    assert status == 0
    assert lines[0] == f"OK      ER-2026-00001  5 events  head {chain[-1].hash}"
    assert lines[1].startswith("1 chain, 5 events: 1 OK, 0 BROKEN in ") and lines[1].endswith(" events/second).")


def test_the_command_names_the_broken_event_and_exits_1(evidence_request, chain, council, force, officer):
    EvidenceRequestFactory(reference="ER-2026-00002", owner=council, requester=officer, requester_organisation=force)
    tamper("UPDATE evidence_custodyevent SET place = %s WHERE id = %s", ["Somewhere else", chain[2].pk])
    status, output = run_command()
    assert status == 1
    assert output.splitlines()[:2] == [
        f"BROKEN  ER-2026-00001  at event 3 (id {chain[2].pk}): {CONTENTS}  [5 events, stored head {chain[-1].hash}]",
        f"OK      ER-2026-00002  0 events  head {GENESIS_HASH}",
    ]
    assert "2 chains, 5 events: 1 OK, 1 BROKEN in " in output
    assert output.endswith("1 of 2 custody chains is broken.")


def test_the_command_verifies_only_the_references_given_and_refuses_unknown_ones(evidence_request, chain, council,
                                                                               force, officer):
    EvidenceRequestFactory(reference="ER-2026-00002", owner=council, requester=officer, requester_organisation=force)
    status, output = run_command("ER-2026-00002")
    assert (status, output.splitlines()[0]) == (0, f"OK      ER-2026-00002  0 events  head {GENESIS_HASH}")
    assert "ER-2026-00001" not in output
    assert run_command("ER-2026-00001", "ER-1999-99999") == (2, "No evidence request with reference ER-1999-99999.")


@pytest.mark.django_db(transaction=True)
def test_the_command_exit_status_is_what_the_shell_sees(council, force, officer, operator):
    # A real process, so a cron job or script relying on the status is relying on what is tested here.
    request = EvidenceRequestFactory(owner=council, requester=officer, requester_organisation=force)
    events = append_chain(request, operator, 5)
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/"
                                         f"{db['NAME']}"}

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", "verify_custody"], cwd=django_settings.BASE_DIR,
                              env=env, capture_output=True, text=True, timeout=120)

    intact = run()
    tamper("UPDATE evidence_custodyevent SET place = %s WHERE id = %s", ["Somewhere else", events[2].pk])
    broken = run()
    assert (intact.returncode, broken.returncode) == (0, 1)
    assert f"BROKEN  {request.reference}  at event 3" in broken.stdout
    assert "1 of 1 custody chain is broken." in broken.stderr


# --- The daily digest ---------------------------------------------------------------------------

@pytest.fixture
def second_council(db):
    return OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)


@pytest.fixture
def digest_world(evidence_request, chain, cctv_manager, auditor, og_member, operator, second_council, force,
                 officer):
    """Two councils' requests, and who should and should not receive their digests."""
    for user, email in ((cctv_manager, "manager@vale.example"), (auditor, "dpo@vale.example"),
                        (og_member, "og@vale.example"), (operator, "operator@contractor.example")):
        user.email = email
        user.save(update_fields=["email"])
    UserFactory(username="former.dpo", role=Role.AUDITOR, organisation=evidence_request.owner,
                email="former@vale.example", is_active=False)
    UserFactory(username="bridgend.manager", role=Role.CCTV_MANAGER, organisation=second_council,
                email="cctv@bridgend.example")
    bridgend = EvidenceRequestFactory(reference="ER-2026-00002", owner=second_council, requester=officer,
                                      requester_organisation=force)
    return {"vale": chain, "bridgend": append_chain(bridgend, operator, 2)}


def expected_root(lines: list[str]) -> str:
    return hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()


def test_the_digest_lists_each_councils_chain_heads_with_a_digest_of_digests(digest_world):
    vale_head, bridgend_head = digest_world["vale"][-1].hash, digest_world["bridgend"][-1].hash
    bridgend, vale = custody_digests_build(DIGEST_DAY, now=DIGEST_READ_AT)  # by council name
    assert vale.lines == (f"ER-2026-00001 5 {vale_head} verified",)
    assert bridgend.lines == (f"ER-2026-00002 2 {bridgend_head} verified",)
    assert vale.root == expected_root([f"ER-2026-00001 5 {vale_head} verified"])
    assert vale.subject == "Custody digest 2026-03-07: 1 chain, all verified"
    text = vale.text.splitlines()
    assert text[:2] == ["Chain-of-custody digest for Vale of Glamorgan Council, Saturday 07 March 2026",
                        "Heads read at 07 Mar 2026 06:00:00 GMT: 1 chain, all verified."]
    assert f"ER-2026-00001 5 {vale_head} verified" in text
    assert f"Digest of digests: {vale.root}" in text
    assert custody_digest_build(DIGEST_DAY, now=DIGEST_READ_AT) == bridgend.text + "\n" + "=" * 72 + "\n\n" + vale.text


def test_the_digest_flags_a_broken_chain(digest_world):
    tamper("UPDATE evidence_custodyevent SET place = %s WHERE id = %s", ["Somewhere else", digest_world["vale"][2].pk])
    vale = custody_digests_build(DIGEST_DAY, now=DIGEST_READ_AT)[1]
    assert vale.lines == (f"ER-2026-00001 5 {digest_world['vale'][-1].hash} BROKEN at event 3: {CONTENTS}",)
    assert vale.subject == "Custody digest 2026-03-07: 1 chain, 1 BROKEN"


def test_the_digest_is_sent_once_per_day_by_the_real_worker(celery_worker, digest_world):
    first = custody_digest_send_task.delay("2026-03-07").get(timeout=30)
    second = custody_digest_send_task.delay("2026-03-07").get(timeout=30)
    assert first == {"day": "2026-03-07", "already_sent": False, "emails": 2}
    assert second == {"day": "2026-03-07", "already_sent": True, "emails": 0}
    sent = sorted(mail.outbox, key=lambda email: email.to)
    assert [(email.to, email.subject) for email in sent] == [
        (["cctv@bridgend.example"], "Custody digest 2026-03-07: 1 chain, all verified"),
        (["dpo@vale.example", "manager@vale.example"], "Custody digest 2026-03-07: 1 chain, all verified"),
    ]
    assert "ER-2026-00002" in sent[0].body and "ER-2026-00001" not in sent[0].body  # each council its own
    assert f"ER-2026-00001 5 {digest_world['vale'][-1].hash} verified" in sent[1].body
    stored = (Path(django_settings.MEDIA_ROOT) / "custody-digests" / "2026-03-07.txt").read_text(encoding="utf-8")
    assert sent[0].body in stored and sent[1].body in stored


def test_a_later_day_is_sent_again(digest_world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        custody_digest_send(DIGEST_DAY, now=DIGEST_READ_AT)
    with django_capture_on_commit_callbacks(execute=True):
        custody_digest_send(DIGEST_DAY + dt.timedelta(days=1))
    assert sorted(path.name for path in digest_path(DIGEST_DAY).parent.iterdir()) == ["2026-03-07.txt",
                                                                                      "2026-03-08.txt"]
    assert len(mailoutbox) == 4


def test_the_emails_wait_for_the_callers_commit(digest_world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = custody_digest_send(DIGEST_DAY, now=DIGEST_READ_AT)
        assert (result.emails, len(mailoutbox)) == (0, 0)  # file written, emails held until commit
        assert digest_path(DIGEST_DAY).exists()
    assert (len(callbacks), len(mailoutbox)) == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_the_day_once(council, force, officer, operator, cctv_manager, mailoutbox):
    cctv_manager.email = "manager@vale.example"
    cctv_manager.save(update_fields=["email"])
    append_chain(EvidenceRequestFactory(owner=council, requester=officer, requester_organisation=force), operator, 2)
    workers = 6
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def send() -> None:
        try:
            barrier.wait()
            results.append(custody_digest_send(DIGEST_DAY, now=DIGEST_READ_AT))
        except Exception as exc:  # collected and asserted below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(result.already_sent for result in results) == [False] + [True] * (workers - 1)
    assert [email.to for email in mailoutbox] == [["manager@vale.example"]]


def test_the_task_defaults_to_todays_london_date(digest_world, mailoutbox):
    from django.utils import timezone

    assert custody_digest_send_task()["day"] == timezone.localdate().isoformat()


def test_the_digest_is_scheduled_daily_at_six_london_time():
    entry = BEAT_SCHEDULE["custody-daily-digest"]
    assert entry == {"task": "evidence.tasks_custody.custody_digest_send_task", "schedule": crontab(hour=6, minute=0)}
    assert entry["task"] in celery_app.tasks
    assert django_settings.CELERY_TIMEZONE == "Europe/London"
