"""Test helpers for SOP authors and host applications: ManualClock, Scenario, pytest fixtures,
and FakeLapor, a fake national LAPOR! server on 127.0.0.1.

These are public API: a province testing its SOP variant writes::

    def test_breach_escalates(sp4n_scenario):
        s = sp4n_scenario(sops=["examples/sop/kalsel-shorter.yaml"])
        cid = s.submit(sop="kalsel_shorter")
        s.advance_working_days(2)
        assert s.state(cid) == "escalated"
"""

from sp4n.testing.clock import ManualClock as ManualClock
from sp4n.testing.file_clock import FileClock as FileClock
from sp4n.testing.lapor_server import FakeLapor as FakeLapor
from sp4n.testing.lapor_server import FakeLaporState as FakeLaporState
from sp4n.testing.postgres import postgres_schema as postgres_schema
from sp4n.testing.scenario import DEFAULT_START as DEFAULT_START
from sp4n.testing.scenario import Scenario as Scenario
from sp4n.testing.scenario import run_until as run_until

__all__ = [
    "DEFAULT_START",
    "FakeLapor",
    "FakeLaporState",
    "FileClock",
    "ManualClock",
    "Scenario",
    "postgres_schema",
    "run_until",
]
