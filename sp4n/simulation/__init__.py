"""What-if: an SOP variant replayed against the complaints a database recorded (``sp4n simulate``)."""

from sp4n.simulation.paths import Step as Step
from sp4n.simulation.rerun import Refusal as Refusal
from sp4n.simulation.simulate import PathChange as PathChange
from sp4n.simulation.simulate import Simulation as Simulation
from sp4n.simulation.simulate import simulate as simulate

__all__ = ["PathChange", "Refusal", "Simulation", "Step", "simulate"]
