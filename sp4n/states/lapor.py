"""The LAPOR! status of each state: how a complaint's progress reads in the national system.

An SOP says, in ``lapor_statuses``, which national LAPOR! status label each of its states
shows (``distributed: didisposisikan``). The national connector sends a complaint's new label
whenever a transition enters a mapped state; a state left out sends nothing. The label
:data:`NOT_AUTHORITY` is no status but LAPOR!'s "not our authority" action, sent with the reason
of the transition that entered the state. Labels are lower-case words joined by ``_``.
"""

from __future__ import annotations

import re

from sp4n.errors import SopValidationError
from sp4n.states.model import Sop

NOT_AUTHORITY = "bukan_wewenang"
"""The label sent as LAPOR!'s "not our authority" (bukan wewenang) action, not as a status."""

_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_lapor_statuses(sop: Sop, source: str) -> None:
    """Each key of ``lapor_statuses`` is a state of the SOP, each label a lower-case word."""
    states = [s.id for s in sop.states]
    for state, label in sop.lapor_statuses.items():
        where = f"lapor_statuses.{state}"
        if state not in states:
            raise SopValidationError(source, where, f"{state!r} is not a state of this SOP ({', '.join(states)})")
        if not isinstance(label, str) or not _LABEL.match(label):
            reason = f"{label!r} is not a LAPOR! status label: lower-case letters, digits and '_', at most 64"
            raise SopValidationError(source, where, reason)
