"""WHO: the agencies that handle complaints, as a validated tree (data, like calendars and SOPs).

Build a registry with :func:`load_agencies` (a YAML, TOML, JSON or CSV file), :func:`build_agencies`
(plain data) or :func:`resolve_agencies` (any of these). The workflow asks it for scopes
(:meth:`AgencyRegistry.sub_agencies`), zones and category handlers; see docs/agencies.md.
"""

from sp4n.agencies.loader import build_agencies as build_agencies
from sp4n.agencies.loader import load_agencies as load_agencies
from sp4n.agencies.loader import resolve_agencies as resolve_agencies
from sp4n.agencies.model import Agency as Agency
from sp4n.agencies.model import AgencyKind as AgencyKind
from sp4n.agencies.model import AgencyRegistry as AgencyRegistry

__all__ = [
    "Agency",
    "AgencyKind",
    "AgencyRegistry",
    "build_agencies",
    "load_agencies",
    "resolve_agencies",
]
