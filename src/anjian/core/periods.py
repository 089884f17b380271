"""Reporting periods: inclusive date ranges in local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

#: The calendar every date the system accepts lies in. Outside it, arithmetic on
#: the date (the day after, the same day last year) overflows Python's calendar,
#: and no record of a work-safety authority can sensibly date from there.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_RANGE_MESSAGE = f"日期须在 {EARLIEST_DATE:%Y-%m-%d} 至 {LATEST_DATE:%Y-%m-%d} 之间。"


def in_calendar(value: date | datetime) -> bool:
    """Whether a date (or a time's date) lies in [EARLIEST_DATE, LATEST_DATE]."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        """[first moment, first moment after) in the current time zone."""
        return day_start(self.start), day_start(self.end + timedelta(days=1))

    def year_before(self) -> Period:
        """The same dates one year earlier (29 February becomes the 28th)."""
        return Period(_year_back(self.start), _year_back(self.end))

    def months(self) -> list[str]:
        """Every calendar month the period touches, as "YYYY-MM", first to last — the
        axis of a monthly series, so that a month with nothing in it still shows (as 0)."""
        result = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            result.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def day_start(day: date) -> datetime:
    """The first moment of a local calendar day."""
    return timezone.make_aware(datetime.combine(day, time.min))


def latest_deadline(now: datetime | None = None) -> date:
    """The furthest day a deadline may be set to: ANJIAN_MAX_DEADLINE_YEARS from today."""
    from django.conf import settings

    today = timezone.localdate(now)
    years = settings.ANJIAN_MAX_DEADLINE_YEARS
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def deadline_problem(value: date | datetime | None, now: datetime | None = None) -> str | None:
    """What is wrong with a deadline (a rectification, a plan's or a campaign's end)
    someone sets: it may not lie beyond `latest_deadline()`. Whether it may lie in the
    past is each workflow's rule."""
    if value is None:
        return None
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    latest = latest_deadline(now)
    if day > latest:
        return f"期限不能晚于 {latest:%Y-%m-%d}。"
    return None
