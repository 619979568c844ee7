import redis
from django.conf import settings
from django.db import connection

from focushub.redis_pool import redis_client


def readiness() -> dict[str, str]:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready", reported, not raised
        checks["database"] = f"error: {type(exc).__name__}"
    if settings.REDIS_URL:
        try:
            redis_client().ping()
            checks["redis"] = "ok"
        except redis.RedisError as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    return checks
