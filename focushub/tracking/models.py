from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeEntry(models.Model):
    """A span of tracked time. `end_time` is null while the timer runs; `duration` is
    derived by the services and never taken from a client. `source` says where the time
    came from and `placed_at` when a person last set its times (focushub.tracking.credit:
    both decide whether it counts on boards and badges)."""

    class Source(models.TextChoices):
        TIMER = "timer"  # started and stopped live (REST, socket, or the auto-stop job)
        MANUAL = "manual"  # created with both ends
        EDITED = "edited"  # a timer entry whose times were changed later

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_entries")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="time_entries")
    start_time = models.DateTimeField()
    end_time = models.DateTimeField(null=True, blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True, default="")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.TIMER)
    placed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # The database, not only the service, guarantees one running timer per user.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(end_time__isnull=True), name="one_running_timer_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__isnull=True) | models.Q(end_time__gt=models.F("start_time")),
                name="entry_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__isnull=True, duration__isnull=True)
                | models.Q(end_time__isnull=False, duration__isnull=False),
                name="entry_duration_iff_stopped",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=["timer", "manual", "edited"]), name="entry_source_known"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-start_time", "-id"]),
            models.Index(fields=["project", "-start_time"]),
            models.Index(fields=["end_time"], condition=models.Q(end_time__isnull=True), name="running_entries"),
        ]

    def __str__(self):
        return f"entry {self.pk} ({self.user_id}, {self.project_id})"

    @property
    def is_running(self) -> bool:
        return self.end_time is None


class DailyRollup(models.Model):
    """Seconds and completed entries per (user, project, UTC date): the source of
    leaderboards and totals. Kept exact by the services, rebuilt by the schedule."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rollups")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="rollups")
    date = models.DateField()
    seconds = models.BigIntegerField(default=0)  # tracked: the entries' durations added up
    credited = models.BigIntegerField(default=0)  # the union of the counting entries (tracking.credit)
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "project", "date"], name="rollup_unique"),
            models.CheckConstraint(
                condition=models.Q(credited__gte=0, credited__lte=86400), name="rollup_credit_within_a_day"
            ),
        ]
        indexes = [models.Index(fields=["date", "user"]), models.Index(fields=["project", "date"])]

    def __str__(self):
        return f"rollup {self.user_id}/{self.project_id}/{self.date}: {self.seconds}s"


class DailyCredit(models.Model):
    """Credited seconds per (user, UTC date): the union of the user's counting entries
    over all projects (focushub.tracking.credit). The source of the global time boards
    and the time badges. Only days with credit have a row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credits")
    date = models.DateField()
    seconds = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="credit_unique"),
            models.CheckConstraint(condition=models.Q(seconds__gt=0, seconds__lte=86400), name="credit_within_a_day"),
        ]
        indexes = [models.Index(fields=["date", "user"])]

    def __str__(self):
        return f"credit {self.user_id}/{self.date}: {self.seconds}s"


class CreditRules(models.Model):
    """The fair-play rules the stored credit was computed with (one row): BOARD_SOURCES
    and BOARD_BACKDATE_DAYS as a fingerprint. When the operator changes them, the next
    scheduled aggregation sees a different fingerprint and recomputes every day's credit
    (focushub.tracking.credit.credit_rules_apply); no migration is needed."""

    fingerprint = models.CharField(max_length=100)
    applied_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"credit rules {self.fingerprint}"
