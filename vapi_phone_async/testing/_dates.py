"""The fake server's clock: ISO 8601 parsing and formatting, as integer UTC microseconds.

Dates are compared as integers (microseconds since the epoch), so a filter written with
any offset or precision compares exactly with the stored millisecond timestamps.
"""

from __future__ import annotations

import functools
import re
import time
from datetime import datetime, timedelta, timezone

__all__ = ["format_us", "now_us", "parse_iso"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DAY_US = 86_400_000_000
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_iso(text: str) -> int | None:
    """Microseconds since the epoch for an ISO 8601 date or date-time; None if unparsable.

    A value without an offset is taken as UTC, as the API's date strings are.
    """
    match = _ISO.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=_offset(offset),
        )
    except ValueError:  # February 30th, hour 25, offset +99:00 ...
        return None
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _offset(text: str | None) -> timezone:
    if text is None or text in "Zz":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return timezone(sign * timedelta(minutes=minutes))


def format_us(us: int) -> str:
    """The API's form of a timestamp: UTC, milliseconds, `Z` (`2025-03-09T20:16:58.146Z`)."""
    # Seeding formats two timestamps per number: the date part is cached, the rest is
    # arithmetic (strftime would be most of the seeding time).
    day, us_of_day = divmod(us, _DAY_US)
    seconds, us_of_second = divmod(us_of_day, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{_date(day)}T{hour:02d}:{minute:02d}:{second:02d}.{us_of_second // 1000:03d}Z"


@functools.lru_cache(maxsize=1024)
def _date(day: int) -> str:
    # isoformat, not strftime: %Y does not pad the years before 1000 on every platform.
    return (_EPOCH + timedelta(days=day)).date().isoformat()


def now_us() -> int:
    """The current time, truncated to the millisecond as a database stores it."""
    return time.time_ns() // 1_000_000 * 1000
