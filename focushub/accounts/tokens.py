"""Our own JWTs (PyJWT). The algorithm is pinned on decode, so `alg: none` and tokens
signed with anything but our key fail. Access tokens are stateless; refresh tokens are
also rows (focushub.accounts.models.RefreshToken) so they can rotate and be revoked."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from django.conf import settings
from django.utils import timezone

from focushub.errors import ApplicationError


class TokenInvalid(ApplicationError):
    status = 401

    def __init__(self, detail: str = "Token is invalid or expired.", code: str = "token_invalid"):
        super().__init__(code, detail)


@dataclass(frozen=True)
class Claims:
    user_id: int
    jti: uuid.UUID
    expires_at: datetime
    family: uuid.UUID | None = None


def encode(*, user_id: int, token_type: str, jti: uuid.UUID, expires_at: datetime, family=None) -> str:
    now = timezone.now()
    payload = {
        "iss": settings.JWT_ISSUER,
        "sub": str(user_id),
        "typ": token_type,
        "jti": str(jti),
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    if family is not None:
        payload["fam"] = str(family)
    return jwt.encode(payload, settings.SECRET_KEY, algorithm=settings.JWT_ALGORITHM)


def decode(token: str, *, token_type: str) -> Claims:
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise TokenInvalid()
    try:
        payload = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[settings.JWT_ALGORITHM],
            issuer=settings.JWT_ISSUER,
            options={"require": ["exp", "iat", "jti", "sub", "typ", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenInvalid("Token has expired.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalid() from exc
    if payload.get("typ") != token_type:
        raise TokenInvalid()
    try:
        return Claims(
            user_id=int(payload["sub"]),
            jti=uuid.UUID(payload["jti"]),
            expires_at=datetime.fromtimestamp(payload["exp"], tz=UTC),
            family=uuid.UUID(payload["fam"]) if payload.get("fam") else None,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise TokenInvalid() from exc


def issue_access(user_id: int, *, family: uuid.UUID | None = None) -> str:
    """An access token; `fam` names the refresh-token family (the session) it belongs to,
    so revoking that family can close the sockets it opened."""
    return encode(
        user_id=user_id,
        token_type="access",
        jti=uuid.uuid4(),
        expires_at=timezone.now() + settings.ACCESS_TOKEN_TTL,
        family=family,
    )


def issue_refresh(*, user_id: int, jti: uuid.UUID, family: uuid.UUID, expires_at: datetime) -> str:
    """The JWT form of a RefreshToken row; the row, not the JWT, says whether it still works."""
    return encode(user_id=user_id, token_type="refresh", jti=jti, expires_at=expires_at, family=family)
