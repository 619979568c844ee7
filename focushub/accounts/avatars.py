"""Avatar images: which files we accept and where they are kept, Cloudinary when
CLOUDINARY_URL is set, the local media folder otherwise. The services decide when; this
module only inspects bytes and moves them."""

import io
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qsl, urlparse

import cloudinary.exceptions
import cloudinary.uploader
from django.conf import settings
from PIL import Image

from focushub.errors import ApplicationError, ValidationFailed

logger = logging.getLogger(__name__)

FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
# Bounds what a browser must decode to show the avatar: a few KB of PNG can declare a
# 50,000 x 50,000 canvas. Phone photos (12 MP) still fit.
MAX_PIXELS = 4096 * 4096
URL_MAX = 500
UPLOAD_TIMEOUT = 30
LOCAL_DIR = "avatars"
_LOCAL_NAME = re.compile(r"\A[0-9a-f]{32}\.(png|jpg|gif|webp)\Z")


class FileTooLarge(ApplicationError):
    status = 413

    def __init__(self, limit: int):
        super().__init__("file_too_large", f"The image must be at most {limit // 1024} KB.")


class UploadFailed(ApplicationError):
    status = 502

    def __init__(self):
        super().__init__("upload_failed", "The image store did not accept the upload; try again later.")


@dataclass(frozen=True)
class AvatarImage:
    data: bytes
    extension: str


def avatar_inspect(stream: BinaryIO) -> AvatarImage:
    """Accept only a real PNG, JPEG, GIF or WebP image of a sane size. Reads at most one
    byte past the limit, whatever size the upload claims."""
    data = stream.read(settings.AVATAR_MAX_BYTES + 1)
    if len(data) > settings.AVATAR_MAX_BYTES:
        raise FileTooLarge(settings.AVATAR_MAX_BYTES)
    invalid = ValidationFailed({"avatar": ["Upload a valid PNG, JPEG, GIF or WebP image."]})
    try:
        # `formats` keeps Pillow's rarer decoders away from untrusted bytes.
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except Exception as exc:  # Pillow reports corrupt input through many exception types
        raise invalid from exc
    if image_format not in FORMATS:
        raise invalid
    if width * height > MAX_PIXELS:
        raise ValidationFailed({"avatar": ["The image has too many pixels (at most 4096 x 4096)."]})
    return AvatarImage(data=data, extension=FORMATS[image_format])


def avatar_store(*, image: AvatarImage, user_id: int, media_base_url: str) -> str:
    """Keep the image and return its public URL. `media_base_url` is the absolute URL of
    MEDIA_URL as the client reached us, used only by local storage."""
    if settings.CLOUDINARY_URL:
        return _store_on_cloudinary(image, user_id)
    return _store_locally(image, media_base_url)


def avatar_discard(url: str) -> None:
    """Delete a replaced avatar file of ours; Cloudinary URLs and anything foreign stay."""
    path = urlparse(url).path
    prefix = f"{settings.MEDIA_URL}{LOCAL_DIR}/"
    name = path[len(prefix) :] if path.startswith(prefix) else ""
    if _LOCAL_NAME.match(name):
        (Path(settings.MEDIA_ROOT) / LOCAL_DIR / name).unlink(missing_ok=True)


def _cloudinary_options() -> dict[str, str]:
    """Credentials from settings (so CLOUDINARY_URL_FILE works too), in the SDK's URL form
    cloudinary://KEY:SECRET@CLOUD?option=value, passed per call instead of mutating the
    SDK's process-wide config."""
    url = urlparse(settings.CLOUDINARY_URL)
    options = dict(parse_qsl(url.query))
    options.update(cloud_name=url.hostname or "", api_key=url.username or "", api_secret=url.password or "")
    return options


def _store_on_cloudinary(image: AvatarImage, user_id: int) -> str:
    try:
        result = cloudinary.uploader.upload(
            image.data,
            filename=f"avatar.{image.extension}",
            # One asset per user: a new upload replaces the old one, and the version in
            # the returned URL changes, so caches never serve the old picture.
            public_id=f"{LOCAL_DIR}/user-{user_id}",
            overwrite=True,
            invalidate=True,
            resource_type="image",
            timeout=UPLOAD_TIMEOUT,
            **_cloudinary_options(),
        )
    except cloudinary.exceptions.Error as exc:
        logger.warning("avatar upload to Cloudinary failed: %s", exc)
        raise UploadFailed() from exc
    url = result.get("secure_url") if isinstance(result, dict) else None
    if not isinstance(url, str) or not url.startswith("https://") or len(url) > URL_MAX:
        logger.warning("Cloudinary answered an upload without a usable secure_url: %r", result)
        raise UploadFailed()
    return url


def _store_locally(image: AvatarImage, media_base_url: str) -> str:
    folder = Path(settings.MEDIA_ROOT) / LOCAL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    # A random name: URLs cannot be guessed from user ids, and a new upload never
    # overwrites a file a browser may still be fetching.
    name = f"{secrets.token_hex(16)}.{image.extension}"
    (folder / name).write_bytes(image.data)
    return f"{media_base_url}{LOCAL_DIR}/{name}"
