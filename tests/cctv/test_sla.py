"""SLA due times, worked out by hand: weekends, bank holidays, the clock changes, 24/7.

Pure functions: no database. Every expected time below was counted on a calendar. The
working day is 08:00-18:00 London time unless a test says otherwise; UK clocks went
forward on Sunday 29 March 2026 and back on Sunday 25 October 2026.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cctv.choices import FaultPriority, SlaClock
from cctv.models import Contract, SlaTerm
from cctv.sla import BANK_HOLIDAYS_ENGLAND_AND_WALES, ClockState, add_working_time, clock_read, fault_due_times

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
WORKING = SlaClock.WORKING_HOURS
ROUND_THE_CLOCK = SlaClock.ROUND_THE_CLOCK


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def working(start: dt.datetime, minutes: int, **hours) -> dt.datetime:
    return add_working_time(start, minutes, clock=WORKING, **hours)


def test_p2_reported_friday_1600_with_four_working_hours_is_due_monday_1000():
    # Friday 16:00-18:00 is 2 h; Monday 08:00-10:00 the other 2 h.
    assert working(london(2026, 3, 6, 16, 0), 240) == london(2026, 3, 9, 10, 0)


def test_fix_time_longer_than_a_day_runs_over_the_weekend_into_tuesday():
    # 960 min = 16 h: Friday 2 h, Monday 10 h, Tuesday 4 h -> Tuesday 12:00.
    assert working(london(2026, 3, 6, 16, 0), 960) == london(2026, 3, 10, 12, 0)


def test_friday_before_the_late_may_bank_holiday_is_due_on_tuesday():
    # Monday 25 May 2026 is the Spring bank holiday.
    assert working(london(2026, 5, 22, 16, 0), 240) == london(2026, 5, 26, 10, 0)


def test_friday_before_the_august_bank_holiday_is_due_on_tuesday():
    # Monday 31 August 2026 is the late summer bank holiday in England and Wales (not Scotland).
    assert working(london(2026, 8, 28, 16, 0), 240) == london(2026, 9, 1, 10, 0)


def test_easter_skips_good_friday_and_easter_monday():
    # Thursday 2 April 17:00: 1 h Thursday; Good Friday, the weekend and Easter Monday are closed.
    assert working(london(2026, 4, 2, 17, 0), 120) == london(2026, 4, 7, 9, 0)


def test_christmas_skips_the_observed_boxing_day_on_monday():
    # Boxing Day 2026 is a Saturday, so Monday 28 December is the bank holiday in lieu.
    assert working(london(2026, 12, 24, 17, 0), 120) == london(2026, 12, 29, 9, 0)


def test_a_fault_reported_on_saturday_starts_its_clock_at_monday_0800():
    assert working(london(2026, 3, 7, 11, 0), 0) == london(2026, 3, 9, 8, 0)
    assert working(london(2026, 3, 7, 11, 0), 60) == london(2026, 3, 9, 9, 0)


def test_reported_before_opening_starts_at_opening():
    assert working(london(2026, 3, 9, 7, 59), 1) == london(2026, 3, 9, 8, 1)


def test_a_deadline_that_uses_up_the_day_falls_at_the_close_not_next_morning():
    assert working(london(2026, 3, 9, 17, 0), 60) == london(2026, 3, 9, 18, 0)


def test_reported_at_the_close_starts_next_morning():
    assert working(london(2026, 3, 9, 18, 0), 1) == london(2026, 3, 10, 8, 1)


def test_working_hours_across_the_spring_clock_change_keep_london_wall_time():
    # Friday 27 March 16:00 GMT = 16:00Z. Monday 30 March 10:00 BST = 09:00Z, not 10:00Z.
    due = working(london(2026, 3, 27, 16, 0), 240)
    assert due == utc(2026, 3, 30, 9, 0)
    assert due.astimezone(LONDON).strftime("%a %H:%M %Z") == "Mon 10:00 BST"


def test_working_hours_across_the_autumn_clock_change_keep_london_wall_time():
    # Friday 23 October 16:00 BST = 15:00Z. Monday 26 October 10:00 GMT = 10:00Z.
    due = working(utc(2026, 10, 23, 15, 0), 240)
    assert due == utc(2026, 10, 26, 10, 0)
    assert due.astimezone(LONDON).strftime("%a %H:%M %Z") == "Mon 10:00 GMT"


def test_round_the_clock_is_plain_elapsed_time():
    start = london(2026, 3, 7, 11, 0)
    assert add_working_time(start, 90, clock=ROUND_THE_CLOCK) == london(2026, 3, 7, 12, 30)


def test_round_the_clock_over_the_spring_change_counts_real_hours():
    # Saturday 23:00 GMT + 4 h = 03:00Z = 04:00 BST; wall-clock arithmetic would say 03:00 BST.
    due = add_working_time(london(2026, 3, 28, 23, 0), 240, clock=ROUND_THE_CLOCK)
    assert due == utc(2026, 3, 29, 3, 0)
    assert due.astimezone(LONDON).hour == 4


def test_round_the_clock_over_the_autumn_change_counts_real_hours():
    # 00:30 BST on 25 October = 23:30Z on the 24th; + 2 h = 01:30Z = 01:30 GMT (not 02:30).
    due = add_working_time(london(2026, 10, 25, 0, 30), 120, clock=ROUND_THE_CLOCK)
    assert due == utc(2026, 10, 25, 1, 30)
    assert due.astimezone(LONDON).strftime("%H:%M %Z") == "01:30 GMT"


def test_a_contract_working_day_other_than_eight_to_six_is_honoured():
    # 09:00-17:30: Friday 16:00-17:30 is 90 min, Monday 09:00 + 30 min.
    due = working(london(2026, 3, 6, 16, 0), 120, day_start=dt.time(9, 0), day_end=dt.time(17, 30))
    assert due == london(2026, 3, 9, 9, 30)


def test_a_given_holiday_list_replaces_the_bank_holidays():
    council_closure = {dt.date(2026, 3, 9)}
    assert working(london(2026, 3, 6, 16, 0), 240, holidays=council_closure) == london(2026, 3, 10, 10, 0)


def test_the_calendar_is_england_and_waless_not_the_uk_wide_list():
    assert dt.date(2026, 4, 6) in BANK_HOLIDAYS_ENGLAND_AND_WALES  # Easter Monday
    assert dt.date(2026, 8, 31) in BANK_HOLIDAYS_ENGLAND_AND_WALES  # late summer
    assert dt.date(2023, 5, 8) in BANK_HOLIDAYS_ENGLAND_AND_WALES  # Coronation: a one-off
    assert dt.date(2026, 8, 3) not in BANK_HOLIDAYS_ENGLAND_AND_WALES  # Scotland's summer holiday
    assert dt.date(2026, 1, 2) not in BANK_HOLIDAYS_ENGLAND_AND_WALES  # Scotland's 2 January


@pytest.mark.parametrize(
    ("start", "minutes", "message"),
    [
        (dt.datetime(2026, 3, 6, 16, 0), 60, "timezone-aware"),
        (london(2026, 3, 6, 16, 0), -1, "cannot be negative"),
    ],
)
def test_naive_times_and_negative_minutes_are_refused(start, minutes, message):
    with pytest.raises(ValueError, match=message):
        working(start, minutes)


def test_a_holiday_list_with_no_working_days_is_refused_rather_than_looping_for_ever():
    class EveryDay:
        def __contains__(self, day):
            return True

    with pytest.raises(ValueError, match="No working day"):
        working(london(2026, 3, 6, 16, 0), 60, holidays=EveryDay())


def contract_and_term(priority: str, response: int, fix: int, clock: str) -> tuple[Contract, SlaTerm]:
    contract = Contract(reference="VOG-CCTV-2023", working_day_starts_at=dt.time(8, 0),
                        working_day_ends_at=dt.time(18, 0))
    return contract, SlaTerm(contract=contract, priority=priority, response_minutes=response, fix_minutes=fix,
                             clock=clock)


def test_fault_due_times_give_both_deadlines_and_name_the_rule():
    contract, term = contract_and_term(FaultPriority.P2, 240, 960, WORKING)
    response_due_at, fix_due_at, rule = fault_due_times(london(2026, 3, 6, 16, 0), term, contract)
    assert response_due_at == london(2026, 3, 9, 10, 0)
    assert fix_due_at == london(2026, 3, 10, 12, 0)
    assert rule == ("P2 working hours 08:00–18:00 Mon–Fri excl. E&W bank holidays: respond 240 min, fix 960 min "
                    "(contract VOG-CCTV-2023)")


def test_round_the_clock_rule_text_says_24_7():
    contract, term = contract_and_term(FaultPriority.P1, 60, 240, ROUND_THE_CLOCK)
    due = fault_due_times(london(2026, 3, 7, 11, 0), term, contract)
    assert (due.response_due_at, due.fix_due_at) == (london(2026, 3, 7, 12, 0), london(2026, 3, 7, 15, 0))
    assert due.rule_text == "P1 24/7: respond 60 min, fix 240 min (contract VOG-CCTV-2023)"


DUE = london(2026, 3, 9, 10, 0)


@pytest.mark.parametrize(
    ("done_at", "cancelled_at", "now", "expected"),
    [
        (None, None, london(2026, 3, 9, 9, 30), (ClockState.RUNNING, 1800, None)),
        (None, None, DUE, (ClockState.RUNNING, 0, None)),
        (None, None, london(2026, 3, 9, 10, 5), (ClockState.OVERDUE, None, 300)),
        (DUE, None, london(2026, 3, 9, 12, 0), (ClockState.MET, None, None)),
        (london(2026, 3, 9, 10, 1), None, london(2026, 3, 9, 12, 0), (ClockState.MISSED, None, 60)),
        (None, london(2026, 3, 9, 9, 0), london(2026, 3, 9, 12, 0), (ClockState.STOPPED, None, None)),
    ],
)
def test_a_clock_reads_running_overdue_met_missed_or_stopped(done_at, cancelled_at, now, expected):
    reading = clock_read(due_at=DUE, done_at=done_at, cancelled_at=cancelled_at, now=now)
    assert (reading.state, reading.seconds_remaining, reading.seconds_overdue) == expected


def test_a_clock_without_a_deadline_reads_no_sla():
    reading = clock_read(due_at=None, done_at=None, cancelled_at=None, now=DUE)
    assert reading.state == ClockState.NO_SLA and reading.due_at is None
