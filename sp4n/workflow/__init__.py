"""HOW: the engine that applies commands and deadlines to complaints."""

from sp4n.workflow.actor import SYSTEM as SYSTEM
from sp4n.workflow.actor import Actor as Actor
from sp4n.workflow.compiled import CompiledSop as CompiledSop
from sp4n.workflow.compiled import SopRegistry as SopRegistry
from sp4n.workflow.engine import Engine as Engine
from sp4n.workflow.retry import retry_on_conflict as retry_on_conflict
from sp4n.workflow.views import ComplaintView as ComplaintView
from sp4n.workflow.views import Deadline as Deadline
from sp4n.workflow.views import Firing as Firing

__all__ = [
    "SYSTEM",
    "Actor",
    "CompiledSop",
    "ComplaintView",
    "Deadline",
    "Engine",
    "Firing",
    "SopRegistry",
    "retry_on_conflict",
]
