"""Reporting periods: inclusive date ranges in local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


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
