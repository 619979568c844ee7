"""Throttles for the doors an attacker would hammer: login (per login identifier and per
client IP) and signup (per client IP). Rates come from settings (LOGIN_THROTTLE_RATE,
LOGIN_IP_THROTTLE_RATE, SIGNUP_THROTTLE_RATE) and counts live in the shared cache, so
every daphne instance counts against the same budget when Redis is configured.

The client IP is REMOTE_ADDR only. DRF's default would trust any X-Forwarded-For header,
which lets a client name a fresh IP on every attempt; behind a proxy, api/proxy.py makes
REMOTE_ADDR the real client, believing the header only from FORWARDED_ALLOW_IPS."""

import hashlib
import logging
from collections.abc import Mapping

import redis
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


# Where throttles count while the shared cache is unreachable: this process's memory.
_LOCAL_COUNTS = LocMemCache("focushub-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class _CountingThrottle(SimpleRateThrottle):
    """Counts in the shared cache (Redis: one budget for every instance). When that is
    unreachable, signing in keeps working and the budget is counted per process instead
    of not at all, so brute force stays throttled through the outage."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (redis.RedisError, OSError) as exc:
            logger.warning("throttle %s: shared cache unreachable (%s); counting in this process", self.scope, exc)
            self.cache = _LOCAL_COUNTS
            return super().allow_request(request, view)


class _ClientIpThrottle(_CountingThrottle):
    rate_setting = ""

    def get_rate(self) -> str:
        return getattr(settings, self.rate_setting)

    def get_ident(self, request) -> str:
        return request.META.get("REMOTE_ADDR") or "unknown"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginIpThrottle(_ClientIpThrottle):
    scope = "login_ip"
    rate_setting = "LOGIN_IP_THROTTLE_RATE"


class SignupIpThrottle(_ClientIpThrottle):
    scope = "signup"
    rate_setting = "SIGNUP_THROTTLE_RATE"


class LoginIdentifierThrottle(_CountingThrottle):
    """Guesses against one account, from however many IPs. Keyed by the login as typed,
    case-folded and hashed (no emails in cache keys); a body without a usable `login`
    is left to the serializer's 400."""

    scope = "login"

    def get_rate(self) -> str:
        return settings.LOGIN_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str | None:
        data = request.data
        login = data.get("login") if isinstance(data, Mapping) else None
        if not isinstance(login, str) or not login.strip():
            return None
        digest = hashlib.sha256(login.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}
