"""HOW: the engine that applies commands and deadlines to complaints."""

from sp4n.workflow.actor import SYSTEM as SYSTEM
from sp4n.workflow.actor import Actor as Actor
from sp4n.workflow.compiled import CompiledSop as CompiledSop
from sp4n.workflow.compiled import SopRegistry as SopRegistry
from sp4n.workflow.engine import Engine as Engine
from sp4n.workflow.feed import Backoff as Backoff
from sp4n.workflow.feed import ConsumerState as ConsumerState
from sp4n.workflow.feed import DeliveryResult as DeliveryResult
from sp4n.workflow.feed import Feed as Feed
from sp4n.workflow.feed import FeedItem as FeedItem
from sp4n.workflow.queries import Page as Page
from sp4n.workflow.retry import retry_on_conflict as retry_on_conflict
from sp4n.workflow.views import ComplaintView as ComplaintView
from sp4n.workflow.views import Deadline as Deadline
from sp4n.workflow.views import Firing as Firing
from sp4n.workflow.worker import DeadlineWorker as DeadlineWorker
from sp4n.workflow.worker import WorkerStats as WorkerStats

__all__ = [
    "SYSTEM",
    "Actor",
    "Backoff",
    "CompiledSop",
    "ComplaintView",
    "ConsumerState",
    "Deadline",
    "DeadlineWorker",
    "DeliveryResult",
    "Engine",
    "Feed",
    "FeedItem",
    "Firing",
    "Page",
    "SopRegistry",
    "WorkerStats",
    "retry_on_conflict",
]
