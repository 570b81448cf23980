"""Deadlines: the rules worked on paper, stored with their words, alerted once, and footage lost.

The police request in most tests concerns an incident on Monday 2 March 2026, 22:00-22:30 GMT,
seen by VOG-004 (keeps 14 days), VOG-005 (28) and VOG-006 (31), received Tuesday 3 March 09:00 GMT.
By hand: VOG-004 overwrites at 2026-03-16 22:30 GMT, VOG-005 at 2026-03-30 22:30 UTC (23:30 BST:
the clocks go forward on 29 March) and VOG-006 at 2026-04-02 22:30 UTC; the routine police target
(168 h) falls at 2026-03-10 09:00 GMT. Every "now" is passed in; nothing sleeps.
"""

import datetime as dt
import json
import smtplib
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.utils import timezone

import evidence.tasks_deadlines  # noqa: F401  (registers the tasks with the in-process worker)
from accounts.exceptions import Forbidden, InvalidInput, WrongState
from cctv.sla import BANK_HOLIDAYS_ENGLAND_AND_WALES
from evidence.choices import CustodyEventType, DeadlineKind, LegalBasis, RequestKind, RequestState, Urgency
from evidence.deadlines import (
    deadlines_recompute,
    footage_lost_mark,
    months_after,
    overwrite_deadline,
    police_target,
    sar_due,
)
from evidence.models import CustodyEvent, Deadline, DeadlineAlert, EvidenceRequest
from evidence.notifications import deadline_alerts_send
from evidence.services.requests import (
    request_submit,
    sar_clock_pause,
    sar_clock_resume,
    sar_deadline_extend,
)
from evidence.tasks_deadlines import deadline_alerts_send_task
from tests.cctv.factories import CameraFactory

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
STARTS = dt.datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
ENDS = dt.datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
RECEIVED = dt.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
VOG_004_OVERWRITE = dt.datetime(2026, 3, 16, 22, 30, tzinfo=UTC)
VOG_005_OVERWRITE = dt.datetime(2026, 3, 30, 22, 30, tzinfo=UTC)
POLICE_DUE = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)


class BankHolidaysAndAOneOff:
    """The real calendar plus a one-off bank holiday (as for a jubilee or a state funeral)."""

    def __contains__(self, day):
        return day == dt.date(2026, 3, 2) or day in BANK_HOLIDAYS_ENGLAND_AND_WALES


BANK_HOLIDAYS_AND_A_ONE_OFF_ON_2_MARCH_2026 = BankHolidaysAndAOneOff()


def deadline(request, kind):
    return Deadline.objects.get(request=request, kind=kind)


def events(request, event_type=None):
    found = CustodyEvent.objects.filter(request=request).order_by("sequence")
    return list(found.filter(event_type=event_type) if event_type else found)


@pytest.fixture
def cameras(council):
    return [CameraFactory(owner=council, asset_ref=ref, retention_days=days)
            for ref, days in (("VOG-006", 31), ("VOG-004", 14), ("VOG-005", 28))]


@pytest.fixture
def police_request(officer, council, cameras):
    return request_submit(
        by=officer, owner=council, kind=RequestKind.POLICE_INVESTIGATION, legal_basis=LegalBasis.DPA_SCH2_PARA2,
        incident_starts_at=STARTS, incident_ends_at=ENDS, reason="Assault outside the Marina Bar.",
        urgency=Urgency.ROUTINE, cameras=cameras, crime_reference="62/12345/26", received_at=RECEIVED,
    )


@pytest.fixture
def sar_request(cctv_manager, council):
    """A SAR received on Monday 2 February 2026 at 10:00 GMT: due Monday 2 March 2026."""
    return request_submit(
        by=cctv_manager, owner=council, kind=RequestKind.SAR, legal_basis=LegalBasis.UK_GDPR_ART15,
        incident_starts_at=dt.datetime(2026, 1, 20, 8, 0, tzinfo=UTC),
        incident_ends_at=dt.datetime(2026, 1, 20, 8, 20, tzinfo=UTC), reason="I want footage of me.",
        location=Point(311540, 166600, srid=27700), requester_name="A. Subject",
        received_at=dt.datetime(2026, 2, 2, 10, 0, tzinfo=UTC),
    )


# --- the overwrite rule -----------------------------------------------------------------------

def test_the_camera_with_the_shortest_retention_decides_the_overwrite_deadline():
    computed = overwrite_deadline(incident_ends_at=ENDS, cameras=[("VOG-006", 31), ("VOG-004", 14), ("VOG-005", 28)])
    assert computed.due_at == VOG_004_OVERWRITE
    assert computed.rule == ("VOG-004 keeps 14 days: incident end 2026-03-02 22:30 + 14 d = 2026-03-16 22:30; "
                             "earliest of 3 cameras")


def test_a_submitted_request_stores_each_cameras_overwrite_time_and_the_deadline_rule(police_request):
    by_camera = {link.camera.asset_ref: (link.retention_days, link.overwrite_at)
                 for link in police_request.request_cameras.select_related("camera")}
    assert by_camera == {
        "VOG-004": (14, VOG_004_OVERWRITE),
        "VOG-005": (28, VOG_005_OVERWRITE),
        "VOG-006": (31, dt.datetime(2026, 4, 2, 22, 30, tzinfo=UTC)),
    }
    overwrite = deadline(police_request, DeadlineKind.OVERWRITE)
    assert overwrite.due_at == VOG_004_OVERWRITE
    assert overwrite.rule.startswith("VOG-004 keeps 14 days") and overwrite.rule.endswith("earliest of 3 cameras")


def test_retention_is_elapsed_time_so_the_london_clock_moves_across_the_spring_change():
    # 28 days after 22:30 GMT on 2 March is 22:30 UTC on 30 March, which London calls 23:30 BST.
    computed = overwrite_deadline(incident_ends_at=ENDS, cameras=[("VOG-005", 28)])
    assert computed.due_at == VOG_005_OVERWRITE
    assert computed.rule.endswith("= 2026-03-30 23:30; the only camera")


# --- the SAR rule -----------------------------------------------------------------------------

@pytest.mark.parametrize(("received_on", "due_on"), [
    # 31 Feb does not exist: 28 Feb 2026, a Saturday, so Monday 2 March.
    (dt.date(2026, 1, 31), dt.date(2026, 3, 2)),
    # 30 Feb does not exist: 28 Feb 2025, a Friday, a working day.
    (dt.date(2025, 1, 30), dt.date(2025, 2, 28)),
    # Leap year: 29 Feb 2028 exists for a receipt on 31 January (a Tuesday).
    (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
    # Month end onto a bank holiday: 31 Aug 2026 is the late summer bank holiday, so Tuesday 1 September.
    (dt.date(2026, 7, 31), dt.date(2026, 9, 1)),
    # Received the day before a bank holiday at a month's end (Sun 30 Aug 2026): 30 Sep, a Wednesday.
    (dt.date(2026, 8, 30), dt.date(2026, 9, 30)),
    # Received on that bank holiday: 31 Sep does not exist, so 30 Sep; the holiday on receipt moves nothing.
    (dt.date(2026, 8, 31), dt.date(2026, 9, 30)),
    # Month end onto a weekend then a bank holiday: Sun 30 May 2027, Mon 31 May is the spring bank holiday.
    (dt.date(2027, 4, 30), dt.date(2027, 6, 1)),
    # Christmas: Sat 26 Dec 2026, Sun 27, Mon 28 (Boxing Day observed): Tuesday 29 December.
    (dt.date(2026, 11, 26), dt.date(2026, 12, 29)),
])
def test_a_sar_is_due_one_calendar_month_later_on_a_working_day(received_on, due_on):
    assert sar_due(received_on=received_on).due_on == due_on


def test_the_sar_rule_text_shows_every_step_of_the_arithmetic():
    due = sar_due(received_on=dt.date(2026, 1, 31))
    assert due.rule == ("SAR received Sat 31 Jan 2026; one calendar month = Sat 28 Feb 2026 (no 31 Feb: last day "
                        "of the month); not a working day (Sat 28 Feb weekend, Sun 01 Mar weekend): next working "
                        "day Mon 02 Mar 2026")
    assert due.due_at == dt.datetime(2026, 3, 2, 23, 59, 59, tzinfo=LONDON)


def test_the_sar_due_time_is_the_end_of_the_due_day_in_london_summer_time():
    due = sar_due(received_on=dt.date(2026, 6, 3))
    assert due.due_at.astimezone(UTC) == dt.datetime(2026, 7, 3, 22, 59, 59, tzinfo=UTC)


def test_months_after_falls_back_to_the_last_day_only_when_the_date_is_missing():
    assert months_after(dt.date(2026, 1, 31), 1) == (dt.date(2026, 2, 28), True)
    assert months_after(dt.date(2026, 1, 28), 1) == (dt.date(2026, 2, 28), False)
    assert months_after(dt.date(2026, 11, 30), 3) == (dt.date(2027, 2, 28), True)


def test_an_extension_gives_three_calendar_months_from_receipt():
    # 31 Apr does not exist: Thursday 30 April 2026.
    due = sar_due(received_on=dt.date(2026, 1, 31), extended=True)
    assert due.due_on == dt.date(2026, 4, 30)
    assert due.rule == ("SAR received Sat 31 Jan 2026; one calendar month plus two further months (extended) = "
                        "Thu 30 Apr 2026 (no 31 Apr: last day of the month)")


def test_paused_days_move_the_date_before_the_working_day_rule():
    # Received Mon 2 Feb 2026; paused 5 Feb, resumed 12 Feb: 7 days. 2 Mar + 7 = Monday 9 March.
    due = sar_due(received_on=dt.date(2026, 2, 2), pauses=[(dt.date(2026, 2, 5), dt.date(2026, 2, 12))])
    assert due.due_on == dt.date(2026, 3, 9)
    assert due.rule == ("SAR received Mon 02 Feb 2026; one calendar month = Mon 02 Mar 2026; + 7 days with the "
                        "clock paused = Mon 09 Mar 2026")


def test_extension_and_pauses_add_up_then_skip_the_weekend():
    # 2 Feb + 3 months = Sat 2 May; + 7 + 2 paused days = Mon 11 May 2026. (Without the pauses it would be
    # Sat 2 May -> Mon 4 May, the early May bank holiday -> Tue 5 May.)
    pauses = [(dt.date(2026, 2, 5), dt.date(2026, 2, 12)), (dt.date(2026, 2, 20), dt.date(2026, 2, 22))]
    assert sar_due(received_on=dt.date(2026, 2, 2), extended=True, pauses=pauses).due_on == dt.date(2026, 5, 11)
    assert sar_due(received_on=dt.date(2026, 2, 2), extended=True).due_on == dt.date(2026, 5, 5)


def test_a_pause_still_open_counts_up_to_today():
    due = sar_due(received_on=dt.date(2026, 2, 2), pauses=[(dt.date(2026, 2, 5), None)], today=dt.date(2026, 2, 15))
    assert due.due_on == dt.date(2026, 3, 12)  # 2 Mar + 10 days
    assert "(paused since 2026-02-05 and still paused)" in due.rule


def test_a_new_bank_holiday_moves_stored_sar_deadlines_when_recomputed(sar_request):
    assert deadline(sar_request, DeadlineKind.SAR_DUE).due_at == dt.datetime(2026, 3, 2, 23, 59, 59, tzinfo=LONDON)
    one_off = BANK_HOLIDAYS_AND_A_ONE_OFF_ON_2_MARCH_2026
    assert deadlines_recompute(holidays=one_off) == 1
    moved = deadline(sar_request, DeadlineKind.SAR_DUE)
    assert moved.due_at == dt.datetime(2026, 3, 3, 23, 59, 59, tzinfo=LONDON)
    assert moved.rule.endswith("not a working day (Mon 02 Mar bank holiday): next working day Tue 03 Mar 2026")
    assert deadlines_recompute(holidays=one_off) == 0


# --- the SAR clock services -------------------------------------------------------------------

def test_pausing_and_resuming_the_sar_clock_moves_the_deadline_and_is_in_the_custody_log(sar_request, cctv_manager):
    sar_clock_pause(request=sar_request, by=cctv_manager, reason="Waiting for proof of identity",
                    paused_on=dt.date(2026, 2, 5))
    assert "still paused" in deadline(sar_request, DeadlineKind.SAR_DUE).rule
    sar_clock_resume(request=sar_request, by=cctv_manager, resumed_on=dt.date(2026, 2, 12))
    resumed = deadline(sar_request, DeadlineKind.SAR_DUE)
    assert resumed.due_at == dt.datetime(2026, 3, 9, 23, 59, 59, tzinfo=LONDON)
    assert "+ 7 days with the clock paused = Mon 09 Mar 2026" in resumed.rule
    paused_event, resumed_event = events(sar_request)[1:]
    assert (paused_event.event_type, paused_event.detail) == (
        CustodyEventType.CLOCK_PAUSED, {"paused_on": "2026-02-05", "reason": "Waiting for proof of identity"})
    assert resumed_event.event_type == CustodyEventType.CLOCK_RESUMED
    assert resumed_event.detail["days_paused"] == 7


def test_extending_a_sar_once_gives_three_months_and_records_the_reason(sar_request, cctv_manager):
    extended = sar_deadline_extend(request=sar_request, by=cctv_manager, reason="Footage from 14 cameras to redact",
                                   at=dt.datetime(2026, 2, 20, 12, 0, tzinfo=UTC))
    # 2 Feb + 3 months = Sat 2 May; Mon 4 May is the early May bank holiday: Tuesday 5 May 2026.
    assert extended.due_at == dt.datetime(2026, 5, 5, 23, 59, 59, tzinfo=LONDON)
    [event] = events(sar_request, CustodyEventType.DEADLINE_EXTENDED)
    assert event.detail["reason"] == "Footage from 14 cameras to redact"
    assert (event.detail["from"], event.detail["to"]) == ("2026-03-02T23:59:59+00:00", "2026-05-05T23:59:59+01:00")
    with pytest.raises(WrongState, match="already been extended"):
        sar_deadline_extend(request=sar_request, by=cctv_manager, reason="Again",
                            at=dt.datetime(2026, 2, 21, tzinfo=UTC))


def test_a_sar_cannot_be_extended_after_it_fell_due(sar_request, cctv_manager):
    with pytest.raises(WrongState, match="passed on 2026-03-02"):
        sar_deadline_extend(request=sar_request, by=cctv_manager, reason="Complex",
                            at=dt.datetime(2026, 3, 3, 0, 0, tzinfo=LONDON))
    assert events(sar_request, CustodyEventType.DEADLINE_EXTENDED) == []


def test_only_managers_manage_the_sar_clock_and_only_a_sar_has_one(sar_request, police_request, operator,
                                                                   cctv_manager):
    with pytest.raises(Forbidden):
        sar_clock_pause(request=sar_request, by=operator, reason="Waiting for ID", paused_on=dt.date(2026, 2, 5))
    with pytest.raises(InvalidInput, match="not a subject access request"):
        sar_clock_pause(request=police_request, by=cctv_manager, reason="x", paused_on=dt.date(2026, 3, 4))


def test_a_pause_before_receipt_or_a_resume_without_a_pause_is_refused(sar_request, cctv_manager):
    with pytest.raises(InvalidInput, match="before the day of receipt"):
        sar_clock_pause(request=sar_request, by=cctv_manager, reason="ID", paused_on=dt.date(2026, 2, 1))
    with pytest.raises(WrongState, match="is not paused"):
        sar_clock_resume(request=sar_request, by=cctv_manager, resumed_on=dt.date(2026, 2, 12))


# --- the police target ----------------------------------------------------------------------

@pytest.mark.parametrize(("urgency", "due_at", "rule"), [
    (Urgency.ROUTINE, POLICE_DUE, "Routine police request: target 168 h from receipt 2026-03-03 09:00 = "
                                  "2026-03-10 09:00"),
    (Urgency.URGENT, dt.datetime(2026, 3, 4, 9, 0, tzinfo=UTC), "Urgent police request: target 24 h from receipt "
                                                                "2026-03-03 09:00 = 2026-03-04 09:00"),
    (Urgency.IMMEDIATE, dt.datetime(2026, 3, 3, 11, 0, tzinfo=UTC), "Immediate (threat to life) police request: "
                                                                    "target 2 h from receipt 2026-03-03 09:00 = "
                                                                    "2026-03-03 11:00"),
])
def test_police_targets_follow_urgency(urgency, due_at, rule):
    computed = police_target(received_at=RECEIVED, urgency=urgency)
    assert (computed.due_at, computed.rule) == (due_at, rule)


def test_police_target_hours_come_from_settings(settings):
    settings.POLICE_TARGET_HOURS = {"routine": 72, "urgent": 12, "immediate": 1}
    assert police_target(received_at=RECEIVED, urgency=Urgency.ROUTINE).due_at == RECEIVED + dt.timedelta(hours=72)


def test_a_police_request_stores_its_target_and_a_sar_does_not(police_request, sar_request):
    assert deadline(police_request, DeadlineKind.POLICE_TARGET).due_at == POLICE_DUE
    assert set(sar_request.deadlines.values_list("kind", flat=True)) == {DeadlineKind.SAR_DUE}


# --- alerts ---------------------------------------------------------------------------------

@pytest.fixture
def staff_emails(cctv_manager, operator, engineer, auditor):
    for user in (cctv_manager, operator, engineer, auditor):
        user.email = f"{user.username}@vale.example"
        user.save()
    return sorted([cctv_manager.email, operator.email])


def run_alerts(now, capture):
    with capture(execute=True):
        return deadline_alerts_send(now=now)


def test_an_alert_goes_once_per_lead_time_to_the_managers_and_contractor_operators(
        police_request, staff_emails, mailoutbox, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    day_before = VOG_004_OVERWRITE - dt.timedelta(minutes=1440)
    assert run_alerts(day_before - MINUTE, capture) == []
    for minutes in range(3):
        run_alerts(day_before + minutes * MINUTE, capture)
    assert [sorted(email.to) for email in mailoutbox] == [staff_emails]
    assert "Rule:     VOG-004 keeps 14 days: incident end 2026-03-02 22:30" in mailoutbox[0].body
    four_hours_before = VOG_004_OVERWRITE - dt.timedelta(minutes=240)
    run_alerts(four_hours_before, capture)
    run_alerts(four_hours_before + MINUTE, capture)
    assert [email.subject for email in mailoutbox] == [
        "ER-2026-00001: footage is overwritten within 1 day (Mon 16 Mar 2026 22:30 GMT)",
        "ER-2026-00001: footage is overwritten within 4 h (Mon 16 Mar 2026 22:30 GMT)",
    ]
    assert run_alerts(VOG_004_OVERWRITE, capture) == []  # at the deadline itself, nothing more to warn of
    assert DeadlineAlert.objects.filter(sent_at__isnull=False).count() == 2


def test_an_assigned_operator_alone_is_alerted(police_request, staff_emails, operator, mailoutbox,
                                              django_capture_on_commit_callbacks):
    EvidenceRequest.objects.filter(pk=police_request.pk).update(assigned_to=operator)
    run_alerts(POLICE_DUE - dt.timedelta(minutes=200), django_capture_on_commit_callbacks)
    assert [(email.to, email.subject) for email in mailoutbox] == [(
        ["operator@vale.example"],
        "ER-2026-00001: the police service target falls within 4 h (Tue 10 Mar 2026 09:00 GMT)",
    )]


def test_lead_times_already_passed_are_claimed_together_and_emailed_once(
        police_request, staff_emails, mailoutbox, django_capture_on_commit_callbacks):
    claims = run_alerts(VOG_004_OVERWRITE - dt.timedelta(hours=3), django_capture_on_commit_callbacks)
    overwrite = deadline(police_request, DeadlineKind.OVERWRITE)
    assert [(c.deadline_id, c.lead_minutes) for c in claims] == [(overwrite.pk, (1440, 240))]
    assert len(mailoutbox) == 1 and "within 4 h" in mailoutbox[0].subject


def test_a_recomputed_due_date_gets_fresh_alerts(sar_request, cctv_manager, staff_emails, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    first_due = deadline(sar_request, DeadlineKind.SAR_DUE).due_at
    run_alerts(first_due - dt.timedelta(days=7), capture)
    sar_deadline_extend(request=sar_request, by=cctv_manager, reason="Complex",
                        at=first_due - dt.timedelta(days=6))
    new_due = deadline(sar_request, DeadlineKind.SAR_DUE).due_at
    run_alerts(new_due - dt.timedelta(days=7), capture)
    run_alerts(new_due - dt.timedelta(days=7), capture)
    assert [email.subject[:48] for email in mailoutbox] == ["ER-2026-00001: the SAR response is due within 7 "] * 2
    assert "Mon 02 Mar 2026" in mailoutbox[0].subject and "Tue 05 May 2026" in mailoutbox[1].subject


def test_a_paused_sar_clock_sends_no_alerts(sar_request, cctv_manager, staff_emails, mailoutbox,
                                            django_capture_on_commit_callbacks):
    due = deadline(sar_request, DeadlineKind.SAR_DUE).due_at
    sar_clock_pause(request=sar_request, by=cctv_manager, reason="Waiting for ID", paused_on=dt.date(2026, 2, 5))
    Deadline.objects.filter(request=sar_request).update(due_at=due)  # as stored, whatever today is
    assert run_alerts(due - dt.timedelta(hours=1), django_capture_on_commit_callbacks) == []
    assert mailoutbox == []


def test_met_and_withdrawn_deadlines_send_no_alerts(police_request, staff_emails, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    Deadline.objects.filter(request=police_request, kind=DeadlineKind.POLICE_TARGET).update(met_at=RECEIVED)
    EvidenceRequest.objects.filter(pk=police_request.pk).update(state=RequestState.EXPORTED)
    assert run_alerts(POLICE_DUE - MINUTE, django_capture_on_commit_callbacks) == []
    assert run_alerts(VOG_004_OVERWRITE - MINUTE, django_capture_on_commit_callbacks) == []


class RefusingEmailBackend:
    """An SMTP server that is down (outside the project, so standing in for it is fair)."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection refused")


def test_an_alert_that_fails_to_send_is_retried_by_the_next_run(police_request, staff_emails, settings, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
    run_alerts(POLICE_DUE - dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    assert DeadlineAlert.objects.count() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_alerts(POLICE_DUE - dt.timedelta(minutes=59), django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert DeadlineAlert.objects.get().sent_at is not None


def test_the_real_worker_sends_each_alert_exactly_once(celery_worker, police_request, staff_emails):
    for now in (VOG_004_OVERWRITE - dt.timedelta(hours=23), VOG_004_OVERWRITE - dt.timedelta(hours=3)):
        first = deadline_alerts_send_task.delay(now.isoformat())
        second = deadline_alerts_send_task.delay(now.isoformat())
        results = sorted([first.get(timeout=30), second.get(timeout=30)], key=lambda r: -r["alerts"])
        assert results == [{"deadlines": 1, "alerts": 1}, {"deadlines": 0, "alerts": 0}]
    assert [email.subject for email in mail.outbox] == [
        "ER-2026-00001: footage is overwritten within 1 day (Mon 16 Mar 2026 22:30 GMT)",
        "ER-2026-00001: footage is overwritten within 4 h (Mon 16 Mar 2026 22:30 GMT)",
    ]
    assert sorted(mail.outbox[0].to) == staff_emails


# --- footage lost ---------------------------------------------------------------------------

def test_footage_past_its_overwrite_time_is_marked_lost_once_naming_the_camera(police_request):
    assert footage_lost_mark(now=VOG_004_OVERWRITE) == []  # at the overwrite time itself it is still there
    [lost] = footage_lost_mark(now=VOG_004_OVERWRITE + MINUTE)
    assert (lost.reference, lost.asset_refs) == ("ER-2026-00001", ("VOG-004",))
    assert footage_lost_mark(now=VOG_004_OVERWRITE + 2 * MINUTE) == []
    police_request.refresh_from_db()
    assert police_request.footage_lost_at == VOG_004_OVERWRITE + MINUTE
    assert deadline(police_request, DeadlineKind.OVERWRITE).missed_at == VOG_004_OVERWRITE + MINUTE
    lost_at = dict(police_request.request_cameras.values_list("camera__asset_ref", "lost_at"))
    assert lost_at == {"VOG-004": VOG_004_OVERWRITE + MINUTE, "VOG-005": None, "VOG-006": None}
    [event] = events(police_request, CustodyEventType.FOOTAGE_LOST)
    assert event.actor_name == "system"
    assert event.detail["cameras"] == ["VOG-004"]
    assert event.detail["overwritten_at"] == {"VOG-004": "2026-03-16T22:30:00+00:00"}


def test_each_camera_is_marked_lost_when_its_own_retention_runs_out(police_request):
    footage_lost_mark(now=VOG_004_OVERWRITE + MINUTE)
    [later] = footage_lost_mark(now=VOG_005_OVERWRITE + MINUTE)
    assert later.asset_refs == ("VOG-005",)
    assert [e.detail["cameras"] for e in events(police_request, CustodyEventType.FOOTAGE_LOST)] == [
        ["VOG-004"], ["VOG-005"]]
    police_request.refresh_from_db()
    assert police_request.footage_lost_at == VOG_004_OVERWRITE + MINUTE  # the first loss stays the date


def test_exported_footage_is_never_marked_lost(police_request):
    EvidenceRequest.objects.filter(pk=police_request.pk).update(state=RequestState.EXPORTED)
    assert footage_lost_mark(now=VOG_004_OVERWRITE + dt.timedelta(days=60)) == []
    assert events(police_request, CustodyEventType.FOOTAGE_LOST) == []


def test_the_jobs_refuse_a_naive_clock():
    with pytest.raises(ValueError):
        footage_lost_mark(now=dt.datetime(2026, 3, 1))
    with pytest.raises(ValueError):
        deadline_alerts_send(now=timezone.make_naive(timezone.now()))


# --- the SAR clock through the API ------------------------------------------------------------

def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_the_sar_clock_endpoints_pause_resume_and_refuse_a_late_extension(client, sar_request, cctv_manager,
                                                                         operator):
    url = f"/api/evidence/requests/{sar_request.pk}/sar"
    client.force_login(operator)
    assert post_json(client, f"{url}/pause", {"reason": "Waiting for ID", "paused_on": "2026-02-05"}).status_code == 403
    client.force_login(cctv_manager)
    response = post_json(client, f"{url}/pause", {"reason": "Waiting for ID", "paused_on": "2026-02-05"})
    assert response.status_code == 200, response.content
    assert response.json()["clock_pauses"] == [{"paused_on": "2026-02-05", "resumed_on": None,
                                                "reason": "Waiting for ID"}]
    response = post_json(client, f"{url}/pause", {"reason": "Again", "paused_on": "2026-02-06"})
    assert (response.status_code, response.json()["detail"]) == (
        409, "The SAR clock of ER-2026-00001 is already paused, since 2026-02-05.")
    response = post_json(client, f"{url}/resume", {"resumed_on": "2026-02-12"})
    assert [(d["kind"], d["due_at"]) for d in response.json()["deadlines"]] == [("sar_due", "2026-03-09T23:59:59Z")]
    assert post_json(client, f"{url}/extend", {"reason": " "}).json()["detail"].startswith("Give a reason to extend")
    response = post_json(client, f"{url}/extend", {"reason": "Complex"})  # today is long after 9 March 2026
    assert (response.status_code, response.json()["detail"]) == (
        409, "The SAR deadline of ER-2026-00001 passed on 2026-03-09; it can only be extended before it falls due.")
    assert [e.event_type for e in events(sar_request)] == [
        CustodyEventType.CREATED, CustodyEventType.CLOCK_PAUSED, CustodyEventType.CLOCK_RESUMED]


def test_a_sar_received_yesterday_is_extended_through_the_api(client, cctv_manager, council):
    received_at = timezone.now() - dt.timedelta(days=1)
    sar = request_submit(
        by=cctv_manager, owner=council, kind=RequestKind.SAR, legal_basis=LegalBasis.UK_GDPR_ART15,
        incident_starts_at=received_at - dt.timedelta(hours=2), incident_ends_at=received_at - dt.timedelta(hours=1),
        reason="My footage", location=Point(311540, 166600, srid=27700), requester_name="A. Subject",
        received_at=received_at)
    client.force_login(cctv_manager)
    response = post_json(client, f"/api/evidence/requests/{sar.pk}/sar/extend", {"reason": "Complex"})
    assert response.status_code == 200, response.content
    [sar_deadline] = response.json()["deadlines"]
    expected = sar_due(received_on=timezone.localtime(received_at).date(), extended=True)
    assert (sar_deadline["due_at"], sar_deadline["rule"]) == (
        expected.due_at.astimezone(UTC).isoformat().replace("+00:00", "Z"), expected.rule)
    assert "plus two further months (extended)" in sar_deadline["rule"]


def test_a_police_request_has_no_sar_clock_to_pause(client, police_request, cctv_manager):
    client.force_login(cctv_manager)
    response = post_json(client, f"/api/evidence/requests/{police_request.pk}/sar/pause", {"reason": "ID"})
    assert (response.status_code, response.json()["detail"]) == (
        400, "ER-2026-00001 is not a subject access request; only a SAR has a clock to pause or extend.")
