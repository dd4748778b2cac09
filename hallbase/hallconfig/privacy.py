"""The `[privacy]` section of the hall file: how long personal data is kept (PIPL art. 19, 47).

Each setting is a number of whole months, or ``"forever"``. A purge removes whole calendar
months: with 36 months, on any day of June 2029 everything before June 2026 goes. The current
and the previous month are never purged, nor any month that is not closed yet (a verdict
still provisional, a request still pending). The defaults, and why, are in the README
("Privacy and retention")::

    [privacy]
    punches_months = 36       # raw punches from terminals (考勤原始记录)
    quarantine_months = 12    # records held back as implausible, with their raw bytes
    requests_months = 36      # leave (请假), out (外出备案), make-up (补卡), away periods
    verdicts_months = 60      # day verdicts, window cover, duty signatures, sent alerts
    citizens_months = 6       # appointment names, phones and ID-number hashes (blanked)
    purge_hour = 3            # the daily purge runs after this local hour
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

FOREVER = "forever"
# A year at least for attendance: the yearly tally of offences and the annual appraisal
# (年度考核) read the whole year's records.
YearMonths = Annotated[int, Field(ge=12, le=1200)] | Literal["forever"]
Months = Annotated[int, Field(ge=1, le=1200)] | Literal["forever"]


class PrivacySection(BaseModel):
    """Retention of personal data, in months (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    punches_months: YearMonths = 36
    quarantine_months: Months = 12
    requests_months: YearMonths = 36
    verdicts_months: YearMonths = 60
    citizens_months: Months = 6
    purge_hour: int = Field(default=3, ge=0, le=23)
