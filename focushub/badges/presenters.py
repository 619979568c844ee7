"""The badge as it appears inside other objects (timeline payloads, profiles)."""

from focushub.badges.models import Badge


def badge_brief(badge: Badge) -> dict:
    return {
        "id": badge.pk,
        "slug": badge.slug,
        "name": badge.name,
        "description": badge.description,
        "image_url": badge.image_url,
    }
