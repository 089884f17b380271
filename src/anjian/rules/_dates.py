"""Calendar arithmetic for deadlines counted in months and years."""

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months; a day past the month's end clamps to its last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))
