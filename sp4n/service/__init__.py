"""HTTP: ``sp4n serve``, the /v1 API and Open311 GeoReport v2 on FastAPI, for hosts in any language.

:func:`create_app` builds the app on an engine; :class:`Keys` creates, lists and revokes the
API keys callers use (stored hashed, each bound to agencies and roles).
"""

from sp4n.service.app import create_app as create_app
from sp4n.service.keys import ApiKey as ApiKey
from sp4n.service.keys import Keys as Keys

__all__ = ["ApiKey", "Keys", "create_app"]
