"""sp4n: public-service complaints through Indonesia's SP4N-LAPOR! procedures.

Every complaint is a state machine on a working-day calendar whose deadlines fire transitions by
themselves. The public API is what this module and the subpackages' ``__init__`` export.
"""

from sp4n.calendars import Due as Due
from sp4n.calendars import Duration as Duration
from sp4n.calendars import WorkingCalendar as WorkingCalendar
from sp4n.clock import Clock as Clock
from sp4n.clock import SystemClock as SystemClock
from sp4n.errors import Sp4nError as Sp4nError

__version__ = "0.1.0"

__all__ = [
    "Clock",
    "Due",
    "Duration",
    "Sp4nError",
    "SystemClock",
    "WorkingCalendar",
    "__version__",
]
