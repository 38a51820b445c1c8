"""WHERE: where complaints, their history and their timers live."""

from sp4n.persistence.audit import AuditProblem as AuditProblem
from sp4n.persistence.audit import verify_history as verify_history
from sp4n.persistence.base import ChangeSet as ChangeSet
from sp4n.persistence.base import IdempotencyRecord as IdempotencyRecord
from sp4n.persistence.base import Snapshot as Snapshot
from sp4n.persistence.base import Store as Store
from sp4n.persistence.base import TimerClose as TimerClose
from sp4n.persistence.feed_base import FeedStore as FeedStore
from sp4n.persistence.feed_records import Audience as Audience
from sp4n.persistence.feed_records import Consumer as Consumer
from sp4n.persistence.feed_records import Delivery as Delivery
from sp4n.persistence.feed_records import DeliveryStatus as DeliveryStatus
from sp4n.persistence.feed_records import FeedEntry as FeedEntry
from sp4n.persistence.memory import MemoryStore as MemoryStore
from sp4n.persistence.query import ComplaintQuery as ComplaintQuery
from sp4n.persistence.query import Order as Order
from sp4n.persistence.query import Visibility as Visibility
from sp4n.persistence.records import ClockLedger as ClockLedger
from sp4n.persistence.records import ClockRun as ClockRun
from sp4n.persistence.records import ClockStatus as ClockStatus
from sp4n.persistence.records import Complaint as Complaint
from sp4n.persistence.records import Event as Event
from sp4n.persistence.records import Milestone as Milestone
from sp4n.persistence.records import RunOutcome as RunOutcome
from sp4n.persistence.records import Timer as Timer
from sp4n.persistence.records import TimerStatus as TimerStatus
from sp4n.persistence.sql import SqlStore as SqlStore
from sp4n.persistence.sql import open_store as open_store

__all__ = [
    "Audience",
    "AuditProblem",
    "ChangeSet",
    "ClockLedger",
    "ClockRun",
    "ClockStatus",
    "Complaint",
    "ComplaintQuery",
    "Consumer",
    "Delivery",
    "DeliveryStatus",
    "Event",
    "FeedEntry",
    "FeedStore",
    "IdempotencyRecord",
    "MemoryStore",
    "Milestone",
    "Order",
    "RunOutcome",
    "Snapshot",
    "SqlStore",
    "Store",
    "Timer",
    "TimerClose",
    "TimerStatus",
    "Visibility",
    "open_store",
    "verify_history",
]
