"""Uploaded images (avatars, badge images): which bytes we accept and where they are
kept: Cloudinary when CLOUDINARY_URL is set, the local media folder otherwise (README.md, "Configuration",
the embedded default). The callers decide names and limits; this module holds the policy
both share."""

import io
import logging
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import cloudinary.exceptions
import cloudinary.uploader
from django.conf import settings
from PIL import Image

from focushub.errors import ApplicationError, ValidationFailed

logger = logging.getLogger(__name__)

FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
URL_MAX = 500
UPLOAD_TIMEOUT = 30


class UploadFailed(ApplicationError):
    status = 502

    def __init__(self):
        super().__init__("upload_failed", "The image store did not accept the upload; try again later.")


def image_extension(data: bytes, *, field: str, max_side: int) -> str:
    """The file extension of a real PNG, JPEG, GIF or WebP image of at most
    max_side x max_side pixels (a few KB of PNG can declare a 50,000 x 50,000 canvas), or
    a field error naming `field`."""
    invalid = ValidationFailed({field: ["Upload a valid PNG, JPEG, GIF or WebP image."]})
    try:
        # `formats` keeps Pillow's rarer decoders away from untrusted bytes.
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            image_format, (width, height) = image.format, image.size
            image.verify()
    except Exception as exc:  # Pillow reports corrupt input through many exception types
        raise invalid from exc
    if image_format not in FORMATS:
        raise invalid
    if width * height > max_side * max_side:
        raise ValidationFailed({field: [f"The image has too many pixels (at most {max_side} x {max_side})."]})
    return FORMATS[image_format]


def _cloudinary_credentials() -> dict[str, str]:
    """From settings (so CLOUDINARY_URL_FILE works too), in the SDK's URL form
    cloudinary://KEY:SECRET@CLOUD?option=value, passed per call instead of mutating the
    SDK's process-wide config."""
    url = urlparse(settings.CLOUDINARY_URL)
    options = dict(parse_qsl(url.query))
    options.update(cloud_name=url.hostname or "", api_key=url.username or "", api_secret=url.password or "")
    return options


def _store_on_cloudinary(data: bytes, naming: dict[str, str]) -> str:
    try:
        result = cloudinary.uploader.upload(
            data, overwrite=True, invalidate=True, resource_type="image", timeout=UPLOAD_TIMEOUT,
            **naming, **_cloudinary_credentials(),
        )
    except cloudinary.exceptions.Error as exc:
        logger.warning("image upload to Cloudinary failed: %s", exc)
        raise UploadFailed() from exc
    url = result.get("secure_url") if isinstance(result, dict) else None
    if not isinstance(url, str) or not url.startswith("https://") or len(url) > URL_MAX:
        logger.warning("Cloudinary answered an upload without a usable secure_url: %r", result)
        raise UploadFailed()
    return url


def _store_locally(data: bytes, extension: str, local_dir: str, media_base_url: str) -> str:
    folder = Path(settings.MEDIA_ROOT) / local_dir
    folder.mkdir(parents=True, exist_ok=True)
    # A random name: URLs cannot be guessed, and a new upload never overwrites a file a
    # browser may still be fetching.
    name = f"{secrets.token_hex(16)}.{extension}"
    (folder / name).write_bytes(data)
    return f"{media_base_url}{local_dir}/{name}"


def image_store(*, data: bytes, extension: str, local_dir: str, media_base_url: str, cloudinary_naming: dict) -> str:
    """Keep checked image bytes and return their public URL. `cloudinary_naming` holds the
    upload's filename/public_id/folder; `media_base_url` (the absolute URL of MEDIA_URL as
    the client reached us) is used only by local storage."""
    if settings.CLOUDINARY_URL:
        return _store_on_cloudinary(data, cloudinary_naming)
    return _store_locally(data, extension, local_dir, media_base_url)
