"""Badge images: checked with Pillow, then kept on Cloudinary when CLOUDINARY_URL is set
or in the local media folder otherwise (SPEC §3, the embedded default). Same policy as
avatars (focushub.accounts.avatars): real PNG/JPEG/GIF/WebP only, bounded bytes and pixels."""

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

MAX_BYTES = 1024 * 1024
MAX_PIXELS = 2048 * 2048
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
URL_MAX = 500
UPLOAD_TIMEOUT = 30
LOCAL_DIR = "badges"


class UploadFailed(ApplicationError):
    status = 502

    def __init__(self):
        super().__init__("upload_failed", "The image store did not accept the upload; try again later.")


def _checked(data: bytes) -> str:
    """The image's file extension, or a field error on `image`."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"image": [f"The image must be at most {MAX_BYTES // 1024} KB."]})
    invalid = ValidationFailed({"image": ["Upload a valid PNG, JPEG, GIF or WebP image."]})
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
        raise ValidationFailed({"image": ["The image has too many pixels (at most 2048 x 2048)."]})
    return FORMATS[image_format]


def _cloudinary_options() -> dict[str, str]:
    """Credentials from settings (CLOUDINARY_URL_FILE works too), passed per call."""
    url = urlparse(settings.CLOUDINARY_URL)
    options = dict(parse_qsl(url.query))
    options.update(cloud_name=url.hostname or "", api_key=url.username or "", api_secret=url.password or "")
    return options


def _store_on_cloudinary(data: bytes, extension: str, slug: str) -> str:
    try:
        result = cloudinary.uploader.upload(
            data, filename=f"{slug}.{extension}", folder="focushub/badges", public_id=slug,
            overwrite=True, invalidate=True, resource_type="image", timeout=UPLOAD_TIMEOUT,
            **_cloudinary_options(),
        )
    except cloudinary.exceptions.Error as exc:
        logger.warning("badge image upload to Cloudinary failed: %s", exc)
        raise UploadFailed() from exc
    url = result.get("secure_url") if isinstance(result, dict) else None
    if not isinstance(url, str) or not url.startswith("https://") or len(url) > URL_MAX:
        logger.warning("Cloudinary answered an upload without a usable secure_url: %r", result)
        raise UploadFailed()
    return url


def _store_locally(data: bytes, extension: str, media_base_url: str) -> str:
    folder = Path(settings.MEDIA_ROOT) / LOCAL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    # A random name: a new image never overwrites a file a browser may still be fetching.
    name = f"{secrets.token_hex(16)}.{extension}"
    (folder / name).write_bytes(data)
    return f"{media_base_url}{LOCAL_DIR}/{name}"


def badge_image_store(*, data: bytes, slug: str, media_base_url: str) -> str:
    """Check and keep an uploaded image; return its public URL. `media_base_url` is the
    absolute URL of MEDIA_URL as the client reached us, used only by local storage."""
    extension = _checked(data)
    if settings.CLOUDINARY_URL:
        return _store_on_cloudinary(data, extension, slug)
    return _store_locally(data, extension, media_base_url)
