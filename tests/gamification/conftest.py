"""Shared data for the gamification tests: the catalog they start from and badges they
define. People, projects and time come from tests/support/cast.py."""

from focushub.badges.models import Badge

NEW = {"slug": "marathon", "name": "Marathon", "description": "Tracked 42 hours.",
       "criteria": {"type": "total_time", "seconds": 151200}}


def badge(slug: str, criteria: dict, *, active: bool = True) -> Badge:
    return Badge.objects.create(slug=slug, name=slug.replace("-", " ").title(), criteria=criteria, active=active)
