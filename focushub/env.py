"""Strict readers for settings that come from the environment (healthchecks' style).

Settings are computed at import and nothing else happens there (focushub/apps.py does the
creating), so each helper only reads and checks. A malformed value is refused with
ImproperlyConfigured naming the variable instead of being guessed at, or surfacing later
as a bare int()/float() traceback. `<NAME>_FILE` is read when set, so secrets can come
from mounted files. Messages about URLs name the variable and the part that is wrong but
never repeat the value: URLs carry passwords.
"""

import ipaddress
import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default: str | None = None) -> str | None:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            with open(file_path, encoding="utf-8") as fh:
                return fh.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def _given(name: str) -> str | None:
    """The value, or None when the variable is unset or blank (blank means: the default)."""
    raw = env(name)
    return None if raw is None or raw.strip() == "" else raw.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def _number(name: str, default, kind: str, parse, minimum, maximum=None):
    raw = _given(name)
    if raw is None:
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {kind}, got {raw!r}") from None
    if not value >= minimum or (maximum is not None and value > maximum):  # `not >=` also refuses nan
        bounds = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise ImproperlyConfigured(f"{name} must be {bounds}, got {raw!r}")
    return value


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    return _number(name, default, "an integer", int, minimum)


def env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    return _number(name, default, "a number", float, minimum, maximum)


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, case-insensitively (they are given upper case, like log levels)."""
    value = (_given(name) or default).upper()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_subset(name: str, default: list[str], allowed: tuple[str, ...]) -> list[str]:
    """A comma-separated subset of `allowed`, sorted; unset or blank gives the default."""
    chosen = sorted(set(env_list(name, default)) or default)
    unknown = sorted(set(chosen) - set(allowed))
    if unknown:
        raise ImproperlyConfigured(f"{name} is a comma-separated subset of {','.join(allowed)}, got {unknown}")
    return chosen


def env_networks(name: str, default: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """A comma-separated list of addresses or networks (`10.0.0.0/8`); `*` for any."""
    networks = []
    for item in env_list(name, default):
        if item == "*":
            item_networks = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
        else:
            try:
                item_networks = [ipaddress.ip_network(item, strict=False)]
            except ValueError:
                raise ImproperlyConfigured(f"{name} is a comma-separated list of IP addresses or networks, "
                                           f"got {item!r}") from None
        networks += item_networks
    return networks


# A CSP frame-ancestors source: *, 'self', or an origin (its host may start with "*.").
_FRAME_SOURCE = re.compile(r"\*|'self'|https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


def env_frame_ancestors(name: str, default: list[str]) -> list[str]:
    """Who may show a page in a frame: a comma-separated list of origins
    (https://team.example, https://*.example.com), 'self' or *. Anything else is refused:
    it would go into a Content-Security-Policy header as it is."""
    sources = env_list(name, default)
    wrong = [source for source in sources if not _FRAME_SOURCE.fullmatch(source)]
    if wrong:
        raise ImproperlyConfigured(f"{name} is a comma-separated list of origins, 'self' or *, got {wrong}")
    return sources


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as `10/min`; refused at startup rather than at first use."""
    value = (env(name) or default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like 10/min (count/s|min|hour|day), got {value!r}")
    return value


def env_url(name: str, schemes: tuple[str, ...]) -> str:
    """A URL with one of `schemes` and a host (a valid port, if any); "" when unset. Checked
    here because the libraries that read these URLs fail later, at first use, in words
    that do not name the variable."""
    raw = _given(name)
    return "" if raw is None else _checked_url(name, raw, schemes)


def env_urls(name: str, schemes: tuple[str, ...]) -> list[str]:
    """A comma-separated list of URLs, each checked as env_url checks one (a comma inside
    a password is written %2C)."""
    return [_checked_url(name, raw, schemes) for raw in env_list(name, [])]


def _checked_url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    expected = " or ".join(f"{scheme}://" for scheme in schemes)
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a valid URL (its port or host cannot be parsed)") from None
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must be a URL starting with {expected}")
    if not parts.hostname and parts.scheme != "unix":
        raise ImproperlyConfigured(f"{name} must name a host ({expected}host...)")
    return raw
