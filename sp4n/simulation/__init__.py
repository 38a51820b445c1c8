"""What-if: an SOP variant replayed against the complaints a database recorded (``sp4n simulate``)."""

from sp4n.simulation.outcome import Outcome as Outcome
from sp4n.simulation.paths import Step as Step
from sp4n.simulation.period import Period as Period
from sp4n.simulation.period import parse_period as parse_period
from sp4n.simulation.rerun import Refusal as Refusal
from sp4n.simulation.simulate import PathChange as PathChange
from sp4n.simulation.simulate import Simulation as Simulation
from sp4n.simulation.simulate import simulate as simulate

__all__ = ["Outcome", "PathChange", "Period", "Refusal", "Simulation", "Step", "parse_period", "simulate"]
