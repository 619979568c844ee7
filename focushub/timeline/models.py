from django.conf import settings
from django.db import models


class Event(models.Model):
    """A timeline event and, at the same time, the durable log websocket clients resume
    from (`since`). Rows are written only by focushub.timeline.services.event_record, in
    the transaction of the change they describe."""

    class Audience(models.TextChoices):
        PRIVATE = "private"  # the actor only
        PROJECT = "project"  # the actor and the project's members
        PUBLIC = "public"  # everyone

    id = models.BigAutoField(primary_key=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    payload = models.JSONField(default=dict)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audience__in=["private", "project", "public"]), name="event_audience_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["actor", "-id"]),
            models.Index(fields=["project", "-id"]),
            models.Index(fields=["audience", "-id"]),
            models.Index(fields=["created_at"]),  # the badge sweep: who changed since
        ]

    def __str__(self):
        return f"event {self.pk} {self.kind}"
