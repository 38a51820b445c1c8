"""WHO ELSE: feed consumers that reach other systems: signed webhooks, the national LAPOR!
connector, and the delivery process that runs them."""

from sp4n.integration.delivery import DeliveryProcess as DeliveryProcess
from sp4n.integration.national import Attachment as Attachment
from sp4n.integration.national import ForwardedPage as ForwardedPage
from sp4n.integration.national import ForwardedReport as ForwardedReport
from sp4n.integration.national import HttpNationalGateway as HttpNationalGateway
from sp4n.integration.national import Institution as Institution
from sp4n.integration.national import NationalComplaint as NationalComplaint
from sp4n.integration.national import NationalConfig as NationalConfig
from sp4n.integration.national import NationalGateway as NationalGateway
from sp4n.integration.national_sync import NationalSync as NationalSync
from sp4n.integration.national_sync import PullResult as PullResult
from sp4n.integration.receiver import WebhookReceiver as WebhookReceiver
from sp4n.integration.signing import new_secret as new_secret
from sp4n.integration.signing import sign as sign
from sp4n.integration.signing import verify as verify
from sp4n.integration.webhooks import WebhookSender as WebhookSender
from sp4n.integration.webhooks import cloud_event as cloud_event

__all__ = [
    "Attachment",
    "DeliveryProcess",
    "ForwardedPage",
    "ForwardedReport",
    "HttpNationalGateway",
    "Institution",
    "NationalComplaint",
    "NationalConfig",
    "NationalGateway",
    "NationalSync",
    "PullResult",
    "WebhookReceiver",
    "WebhookSender",
    "cloud_event",
    "new_secret",
    "sign",
    "verify",
]
