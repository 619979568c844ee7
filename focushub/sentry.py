"""What leaves for Sentry: nothing that signs someone in.

Sentry's own scrubber (send_default_pii=False) removes cookies, Authorization headers
and values under keys named like a token or password. It does not look inside strings:
a frame's local variables are sent as their repr, and a repr can hold a token (a
dataclass, a query string, a URL with ?token=). So every event is also passed through
`scrub_event`, which redacts anything shaped like one of our tokens (a JWT) wherever it
appears. tests/test_sentry.py checks the result against a stub of Sentry's ingest.
"""

import re
from typing import Any

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}")
REDACTED = "[Filtered]"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return JWT.sub(REDACTED, value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """before_send / before_send_transaction hook: the event with every token redacted."""
    return _scrub(event)
