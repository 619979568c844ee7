from django.conf import settings
from django.db import models


class Badge(models.Model):
    """A milestone. `criteria` is validated by focushub.badges.criteria on every write."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True, default="")
    criteria = models.JSONField()
    image_url = models.URLField(max_length=500, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.slug


class UserBadge(models.Model):
    """An award. The unique constraint makes awarding idempotent when workers race."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_badges")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    awarded_at = models.DateTimeField(auto_now_add=True)
    entry = models.ForeignKey("tracking.TimeEntry", null=True, blank=True, on_delete=models.SET_NULL)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "badge"], name="user_badge_unique")]
        indexes = [models.Index(fields=["awarded_at"])]

    def __str__(self):
        return f"{self.user_id}:{self.badge_id}"


class BadgeSweep(models.Model):
    """How far the scheduled badge sweep has looked (one row). Badge checks normally run
    right after each change; the sweep re-checks everyone whose events were written
    since `swept_until`, so a check that was lost (queue unreachable at commit, a worker
    killed mid-task) is made up within one aggregation period."""

    swept_until = models.DateTimeField()

    def __str__(self):
        return f"badges swept until {self.swept_until:%Y-%m-%d %H:%M:%S}"
