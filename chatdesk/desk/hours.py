"""Business hours: when a department is open, as pure functions over its schedule.

A schedule is an IANA time zone, weekly intervals in that zone's wall-clock time (several a day;
an interval ends on its own day, at 24:00 at the latest) and holidays (whole local days closed).
A department without a schedule is always open. All arithmetic is on UTC instants, with each
local day's intervals placed by `zoneinfo`, so a day with a DST change is as long as it really is;
a start that falls in the spring gap opens when the clocks have jumped, and an ambiguous one at
its first occurrence. Touching intervals (Mon 22:00-24:00, Tue 00:00-02:00) make one open period.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Look this far ahead for an opening: a year of holidays may close every weekly interval.
HORIZON_DAYS = 400
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class HoursError(ValueError):
    """A schedule that cannot be: `field` names the part that is wrong, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Schedule:
    zone: ZoneInfo
    weekly: tuple[tuple[int, int, int], ...]  # (weekday 0 = Monday, start minute, end minute), sorted
    holidays: frozenset[date]


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _minutes(clock: str, field: str) -> int:
    match = _CLOCK.match(clock)
    minutes = int(match[1]) * 60 + int(match[2]) if match else -1
    if not 0 <= minutes <= 24 * 60:
        raise HoursError(field, f"{clock!r} is not a time of day (HH:MM, 00:00 to 24:00).")
    return minutes


def parse_schedule(hours: dict[str, Any] | None) -> Schedule | None:
    """The schedule of stored or submitted hours (`{time_zone, weekly: [{day, start, end}], holidays}`);
    None for none (always open). HoursError for an unknown zone, an end not after its start, or
    intervals of one day that overlap."""
    if hours is None:
        return None
    zone_name = hours.get("time_zone", "")
    if zone_name not in _zone_names():
        raise HoursError("time_zone", f"{zone_name!r} is not a time zone we know (use a name like "
                                      "Europe/Berlin or America/New_York).")
    zone = ZoneInfo(zone_name)
    weekly = []
    for at, interval in enumerate(hours.get("weekly", [])):
        field = f"weekly.{at}"
        start, end = _minutes(interval["start"], f"{field}.start"), _minutes(interval["end"], f"{field}.end")
        if end <= start:
            raise HoursError(f"{field}.end", f"{DAY_NAMES[DAYS.index(interval['day'])]}: the end "
                                             f"({interval['end']}) must be after the start ({interval['start']}).")
        weekly.append((DAYS.index(interval["day"]), start, end))
    weekly.sort()
    for (day, _, end), (next_day, next_start, _) in pairwise(weekly):
        if day == next_day and next_start < end:
            raise HoursError("weekly", f"{DAY_NAMES[day]}: two intervals overlap; make them one or separate them.")
    holidays = frozenset(date.fromisoformat(str(day)) for day in hours.get("holidays", []))
    return Schedule(zone, tuple(weekly), holidays)


def _instant(schedule: Schedule, day: date, minute: int) -> datetime:
    """The UTC instant of a wall-clock minute of a local day (24:00 is the next day's 00:00)."""
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    return local.replace(tzinfo=schedule.zone).astimezone(UTC)


def _periods(schedule: Schedule, after: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open periods (UTC start, end) in order, from the one holding `after` or the first after it."""
    first = after.astimezone(schedule.zone).date() - timedelta(days=1)
    pending: tuple[datetime, datetime] | None = None
    for offset in range(HORIZON_DAYS):
        day = first + timedelta(days=offset)
        if day in schedule.holidays:
            continue
        for weekday, start, end in schedule.weekly:
            if weekday != day.weekday():
                continue
            period = (_instant(schedule, day, start), _instant(schedule, day, end))
            if pending and period[0] <= pending[1]:
                pending = (pending[0], max(pending[1], period[1]))
                continue
            if pending and pending[1] > after:
                yield pending
            pending = period
    if pending and pending[1] > after:
        yield pending


def is_open(schedule: Schedule | None, at: datetime) -> bool:
    """Whether the department is open at `at` (an aware datetime)."""
    if schedule is None:
        return True
    period = next(_periods(schedule, at), None)
    return period is not None and period[0] <= at


def next_opening(schedule: Schedule | None, after: datetime) -> datetime | None:
    """The first instant at or after `after` when the department is open (`after` itself when it is
    open then), in UTC; None when it does not open within `HORIZON_DAYS`."""
    if schedule is None:
        return after
    period = next(_periods(schedule, after), None)
    return max(period[0], after) if period else None


def after_open_time(schedule: Schedule | None, start: datetime, open_s: float) -> float | None:
    """Wall-clock seconds from `start` until `open_s` seconds of open time have passed (closed hours
    skipped): how long a wait of `open_s` working seconds really takes. None when it never ends."""
    if schedule is None:
        return open_s
    left = open_s
    for period_start, period_end in _periods(schedule, start):
        begin = max(period_start, start)
        length = (period_end - begin).total_seconds()
        if left <= length:
            return (begin - start).total_seconds() + left
        left -= length
    return None
