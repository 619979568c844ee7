"""Badge images: the shared image policy (focushub.images) with a badge's own limits and
names: one Cloudinary asset per badge slug."""


from focushub.errors import ValidationFailed
from focushub.images import image_extension, image_store

MAX_BYTES = 1024 * 1024
MAX_SIDE = 2048
LOCAL_DIR = "badges"


def badge_image_store(*, data: bytes, slug: str, media_base_url: str) -> str:
    """Check and keep an uploaded image; return its public URL."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"image": [f"The image must be at most {MAX_BYTES // 1024} KB."]})
    extension = image_extension(data, field="image", max_side=MAX_SIDE)
    return image_store(
        data=data, extension=extension, local_dir=LOCAL_DIR, media_base_url=media_base_url,
        cloudinary_naming={"filename": f"{slug}.{extension}", "folder": "focushub/badges", "public_id": slug},
    )
