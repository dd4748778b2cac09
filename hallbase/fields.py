"""Input field types shared by every entry point: the API, the hall file and the staff import.

Each one refuses what the storage or a terminal cannot take, with a message that says why, so
that bad input is a 422 (or a rejected row) instead of a server error later.
"""

from __future__ import annotations

import unicodedata
from datetime import date, time
from typing import Annotated

from annotated_types import Ge, Le
from pydantic import AfterValidator

# Every integer key column is INTEGER: 32 bits on PostgreSQL (64 on SQLite). A number past it
# can name no row, and the database refuses to compare with it.
DB_INT_MAX = 2**31 - 1
DbInt = Annotated[int, Ge(0), Le(DB_INT_MAX)]

# Dates and instants the calendar and the hall's time zone can work with (a day before or after
# is still a date, and an offset never leaves the calendar's range).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
Day = Annotated[date, Ge(FIRST_DAY), Le(LAST_DAY)]


def _no_offset(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a time of day is hall-local: give it without an offset, e.g. 08:30")
    return value


LocalTime = Annotated[time, AfterValidator(_no_offset)]

# Control characters (tab, line breaks, NUL, ...) and line/paragraph separators: terminals take
# names as tab-separated fields, and boards and tickets print them on one line.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _one_line(value: str) -> str:
    for char in value:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise ValueError(
                f"must not contain control characters or line breaks (found U+{ord(char):04X})"
            )
    return value


OneLine = Annotated[str, AfterValidator(_one_line)]
