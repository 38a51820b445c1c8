"""WHO ELSE: feed consumers that reach other systems: signed webhooks and their delivery process."""

from sp4n.integration.delivery import DeliveryProcess as DeliveryProcess
from sp4n.integration.receiver import WebhookReceiver as WebhookReceiver
from sp4n.integration.signing import new_secret as new_secret
from sp4n.integration.signing import sign as sign
from sp4n.integration.signing import verify as verify
from sp4n.integration.webhooks import WebhookSender as WebhookSender
from sp4n.integration.webhooks import cloud_event as cloud_event

__all__ = [
    "DeliveryProcess",
    "WebhookReceiver",
    "WebhookSender",
    "cloud_event",
    "new_secret",
    "sign",
    "verify",
]
