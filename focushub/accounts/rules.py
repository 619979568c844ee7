"""The rules a user's own fields must satisfy (docs/api.md). The model field, the admin forms,
`createsuperuser` and the services all check through these, so each rule lives once."""

import functools
import zoneinfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator

USERNAME_MIN = 3
USERNAME_MAX = 30
BIO_MAX = 500
EMAIL_MAX = 254
TIMEZONE_MAX = 64
# Long enough for any passphrase; bounded because hashing cost grows with input length.
PASSWORD_MAX = 256

# ASCII only: Unicode letters would let a Cyrillic "a" in "admin" impersonate the real admin.
username_validator = RegexValidator(
    regex=rf"\A[A-Za-z0-9_-]{{{USERNAME_MIN},{USERNAME_MAX}}}\Z",
    message=f"Use {USERNAME_MIN}-{USERNAME_MAX} characters: letters, digits, '_' or '-'.",
    code="invalid_username",
)


def username_problems(username: str) -> list[str]:
    try:
        username_validator(username)
    except DjangoValidationError as exc:
        return list(exc.messages)
    return []


# Files of the tz database that are not zones: "localtime" is the server's own zone,
# "posixrules" and "Factory" are artefacts; posix/ and right/ duplicate every zone.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def timezone_names() -> frozenset[str]:
    # Scanning the tz database takes milliseconds; the set never changes while we run.
    return frozenset(
        name for name in zoneinfo.available_timezones()
        if name not in _NOT_ZONES and not name.startswith(("posix/", "right/"))
    )


def timezone_problems(name: str) -> list[str]:
    if name not in timezone_names():
        return [f"'{name[:TIMEZONE_MAX]}' is not a known IANA time zone (e.g. 'Europe/Paris', 'UTC')."]
    return []
