"""Test helpers for SOP authors and host applications: ManualClock, fixtures, scenario helpers."""

__all__: list[str] = []
