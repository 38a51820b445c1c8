"""WHAT: SOPs as validated data (states, transitions, roles, clocks)."""

__all__: list[str] = []
