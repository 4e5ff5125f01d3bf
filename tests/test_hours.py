"""Business hours as pure functions (desk/hours.py): open or not, the next opening, closed time skipped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatdesk.desk.hours import HoursError, after_open_time, is_open, next_opening, parse_schedule

BERLIN_OFFICE = {"time_zone": "Europe/Berlin", "holidays": ["2026-12-25"], "weekly": [
    {"day": day, "start": start, "end": end}
    for day in ("mon", "tue", "wed", "thu", "fri") for start, end in (("09:00", "12:00"), ("13:00", "17:00"))]}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def schedule(weekly: list[tuple[str, str, str]], zone: str = "Europe/Berlin", holidays: tuple[str, ...] = ()):
    return parse_schedule({"time_zone": zone, "holidays": list(holidays),
                           "weekly": [{"day": day, "start": start, "end": end} for day, start, end in weekly]})


def test_no_schedule_is_always_open():
    assert is_open(None, utc(2026, 11, 29, 3)) and next_opening(None, utc(2026, 11, 29, 3)) == utc(2026, 11, 29, 3)
    assert after_open_time(None, utc(2026, 11, 29, 3), 90) == 90


@pytest.mark.parametrize(("at", "open_then"), [
    (utc(2026, 11, 30, 8, 0), True),  # Monday 09:00 in Berlin (UTC+1): opens
    (utc(2026, 11, 30, 7, 59), False),
    (utc(2026, 11, 30, 11, 30), False),  # 12:30, the lunch break
    (utc(2026, 11, 30, 16, 0), False),  # 17:00: closed
    (utc(2026, 12, 5, 10, 0), False),  # Saturday
    (utc(2026, 12, 25, 10, 0), False),  # a Friday, but a holiday
])
def test_open_within_the_weekly_intervals_in_the_departments_zone(at, open_then):
    assert is_open(parse_schedule(BERLIN_OFFICE), at) is open_then


def test_next_opening_after_lunch_the_weekend_and_a_holiday():
    office = parse_schedule(BERLIN_OFFICE)
    assert next_opening(office, utc(2026, 11, 30, 11, 30)) == utc(2026, 11, 30, 12, 0)  # 13:00 the same day
    assert next_opening(office, utc(2026, 12, 4, 17, 0)) == utc(2026, 12, 7, 8, 0)  # Friday night: Monday 09:00
    assert next_opening(office, utc(2026, 12, 24, 16, 30)) == utc(2026, 12, 28, 8, 0)  # over Christmas Day
    assert next_opening(office, utc(2026, 11, 30, 10, 0)) == utc(2026, 11, 30, 10, 0)  # open now: now


def test_opening_hours_follow_daylight_saving_time():
    office = schedule([("sun", "09:00", "17:00"), ("mon", "09:00", "17:00")])
    # Berlin moves to UTC+2 on Sunday 29 March 2026: 09:00 local is 07:00 UTC from then on.
    assert next_opening(office, utc(2026, 3, 28, 20, 0)) == utc(2026, 3, 29, 7, 0)
    assert not is_open(office, utc(2026, 3, 29, 6, 30))
    # and back to UTC+1 on Sunday 25 October: 09:00 is 08:00 UTC.
    assert next_opening(office, utc(2026, 10, 24, 20, 0)) == utc(2026, 10, 25, 8, 0)


def test_the_night_of_a_dst_change_is_as_long_as_it_really_is():
    night = schedule([("sun", "00:00", "06:00")])
    # 29 March 2026, 00:00-06:00 Berlin time is only five hours: 23:00 to 04:00 UTC.
    assert after_open_time(night, utc(2026, 3, 28, 23, 0), 5 * 3600) == 5 * 3600
    assert after_open_time(night, utc(2026, 3, 28, 23, 0), 5 * 3600 + 1) == 7 * 24 * 3600 - 3600 + 1


def test_touching_intervals_across_midnight_make_one_night_shift():
    shift = schedule([("mon", "22:00", "24:00"), ("tue", "00:00", "06:00")], zone="UTC")
    assert is_open(shift, utc(2026, 12, 1, 0, 0))
    assert next_opening(shift, utc(2026, 12, 1, 7, 0)) == utc(2026, 12, 7, 22, 0)
    assert after_open_time(shift, utc(2026, 11, 30, 23, 0), 2 * 3600) == 2 * 3600  # no break at midnight


def test_a_wait_skips_the_closed_hours():
    office = parse_schedule(BERLIN_OFFICE)
    # Friday 16:50 in Berlin, 20 working minutes to wait: 10 today, 10 from Monday 09:00.
    start = utc(2026, 12, 4, 15, 50)
    assert after_open_time(office, start, 20 * 60) == (utc(2026, 12, 7, 8, 10) - start).total_seconds()


def test_without_any_interval_it_never_opens():
    closed = schedule([])
    assert not is_open(closed, utc(2026, 11, 30, 12))
    assert next_opening(closed, utc(2026, 11, 30, 12)) is None
    assert after_open_time(closed, utc(2026, 11, 30, 12), 60) is None


@pytest.mark.parametrize(("hours", "field", "words"), [
    ({"time_zone": "Mars/Olympus", "weekly": []}, "time_zone", "not a time zone"),
    ({"time_zone": "UTC", "weekly": [{"day": "mon", "start": "17:00", "end": "09:00"}]}, "weekly.0.end",
     "must be after the start"),
    ({"time_zone": "UTC", "weekly": [{"day": "mon", "start": "09:00", "end": "25:00"}]}, "weekly.0.end",
     "not a time of day"),
    ({"time_zone": "UTC", "weekly": [{"day": "tue", "start": "09:00", "end": "12:00"},
                                     {"day": "tue", "start": "11:00", "end": "14:00"}]}, "weekly", "overlap"),
])
def test_a_schedule_that_cannot_be_is_refused_in_plain_words(hours, field, words):
    with pytest.raises(HoursError, match=words) as refused:
        parse_schedule(hours)
    assert refused.value.field == field
