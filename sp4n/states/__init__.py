"""WHAT: SOPs as validated data (states, transitions, roles, clocks).

Build one with :func:`load_sop` (a file), :func:`build_sop` (a mapping), :func:`builtin_sop` (an
SOP shipped with sp4n) or :func:`resolve_sop` (any of these); each resolves ``extends`` and runs
:func:`validate_sop`.
"""

from sp4n.states.loader import build_sop as build_sop
from sp4n.states.loader import builtin_sop as builtin_sop
from sp4n.states.loader import builtin_sop_ids as builtin_sop_ids
from sp4n.states.loader import load_sop as load_sop
from sp4n.states.loader import resolve_sop as resolve_sop
from sp4n.states.model import Assignable as Assignable
from sp4n.states.model import AttributeDef as AttributeDef
from sp4n.states.model import AttributeType as AttributeType
from sp4n.states.model import CalendarPolicy as CalendarPolicy
from sp4n.states.model import ClockDef as ClockDef
from sp4n.states.model import LatePolicy as LatePolicy
from sp4n.states.model import Role as Role
from sp4n.states.model import RoutingRule as RoutingRule
from sp4n.states.model import RungAction as RungAction
from sp4n.states.model import RungDef as RungDef
from sp4n.states.model import Sop as Sop
from sp4n.states.model import StateDef as StateDef
from sp4n.states.model import TransitionDef as TransitionDef
from sp4n.states.validation import validate_sop as validate_sop

__all__ = [
    "Assignable",
    "AttributeDef",
    "AttributeType",
    "CalendarPolicy",
    "ClockDef",
    "LatePolicy",
    "Role",
    "RoutingRule",
    "RungAction",
    "RungDef",
    "Sop",
    "StateDef",
    "TransitionDef",
    "build_sop",
    "builtin_sop",
    "builtin_sop_ids",
    "load_sop",
    "resolve_sop",
    "validate_sop",
]
