"""The OpenAPI 3.1 document of the service, as checked in at docs/openapi.json.

Regenerate it with ``python -m sp4n.service.openapi > docs/openapi.json`` after changing an
endpoint; a test compares the file with the app.
"""

from __future__ import annotations

import json
from typing import Any

from sp4n.persistence.memory import MemoryStore
from sp4n.service.app import create_app
from sp4n.workflow.engine import Engine


def openapi_document() -> dict[str, Any]:
    """The document an app on the built-in national SOP serves at /openapi.json."""
    engine = Engine(store=MemoryStore())
    try:
        document: dict[str, Any] = create_app(engine).openapi()
        return document
    finally:
        engine.close()


def openapi_text() -> str:
    """The document as the checked-in file holds it (sorted keys, two-space indent)."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(openapi_text(), end="")
