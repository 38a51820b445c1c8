"""How deadlines are counted: the conventions no regulation spells out, made explicit.

No source says whether the day a report arrives counts, or what a report that arrives after office
hours means. sp4n makes both an SOP's choice, with defaults that favour the citizen least
surprisingly: day 1 is the first working day after the day of receipt, and a late-evening report
counts from its own date.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ReceiptDay(StrEnum):
    """Whether the local day of receipt is counted as day 1 of a day-based deadline."""

    EXCLUDED = "excluded"
    """Day 1 is the first working day after the day of receipt (default)."""
    INCLUDED = "included"
    """Day 1 is the day of receipt when that is a working day, else the next working day."""


class AfterHours(StrEnum):
    """What a receipt outside office hours (or on a non-working day) counts as."""

    SAME_DAY = "same_day"
    """Counted from its own local date, whatever the hour (default)."""
    NEXT_WORKING_DAY = "next_working_day"
    """Counted as received at the opening of the next working day."""


class CountingPolicy(BaseModel):
    """The counting conventions of an SOP. Immutable; compare and hash by value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    receipt_day: ReceiptDay = ReceiptDay.EXCLUDED
    after_hours: AfterHours = AfterHours.SAME_DAY


DEFAULT_POLICY = CountingPolicy()
"""Day 1 is the next working day; after-hours receipts count from their own date."""
