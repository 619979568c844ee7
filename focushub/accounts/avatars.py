"""Avatar images: which files we accept and where they are kept, Cloudinary when
CLOUDINARY_URL is set, the local media folder otherwise. The services decide when; this
module only inspects bytes and moves them."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from django.conf import settings

from focushub.errors import ApplicationError
from focushub.images import image_extension, image_store

# Bounds what a browser must decode to show the avatar; phone photos (12 MP) still fit.
MAX_SIDE = 4096
LOCAL_DIR = "avatars"
_LOCAL_NAME = re.compile(r"\A[0-9a-f]{32}\.(png|jpg|gif|webp)\Z")


class FileTooLarge(ApplicationError):
    status = 413

    def __init__(self, limit: int):
        super().__init__("file_too_large", f"The image must be at most {limit // 1024} KB.")


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
    return AvatarImage(data=data, extension=image_extension(data, field="avatar", max_side=MAX_SIDE))


def avatar_store(*, image: AvatarImage, user_id: int, media_base_url: str) -> str:
    """Keep the image and return its public URL. On Cloudinary each user has one asset: a
    new upload replaces it and the version in the returned URL changes, so caches never
    serve the old picture."""
    return image_store(
        data=image.data, extension=image.extension, local_dir=LOCAL_DIR, media_base_url=media_base_url,
        cloudinary_naming={"filename": f"avatar.{image.extension}", "public_id": f"{LOCAL_DIR}/user-{user_id}"},
    )


def avatar_discard(url: str) -> None:
    """Delete a replaced avatar file of ours; Cloudinary URLs and anything foreign stay."""
    path = urlparse(url).path
    prefix = f"{settings.MEDIA_URL}{LOCAL_DIR}/"
    name = path[len(prefix) :] if path.startswith(prefix) else ""
    if _LOCAL_NAME.match(name):
        (Path(settings.MEDIA_ROOT) / LOCAL_DIR / name).unlink(missing_ok=True)
