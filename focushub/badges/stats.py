"""A user's numbers that badge criteria are measured against, each computed by the
database on first use and then reused for every badge of the same type. Evaluating the
whole catalog therefore costs a bounded number of queries (at most one per kind of
number), whatever the number of badges or entries.

Time-of-day (early_bird / night_owl): the earliest and latest local start minute of all
the user's entries come from one aggregate. The conversion to the user's timezone is done
in the database per row, DST included: PostgreSQL evaluates `AT TIME ZONE '<zone>'`,
SQLite calls the conversion function Django registers on each connection (zoneinfo).
Running timers count (an entry is "started" in the window as soon as it starts); only
`timer` entries count for these, since a typed-in start says nothing about when someone
sat down. Time totals are credited time (focushub.tracking.credit).
"""

from functools import cached_property

from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import ExtractHour, ExtractMinute

from focushub.accounts.models import User
from focushub.projects.models import Project
from focushub.tracking.aggregation import user_zone
from focushub.tracking.models import DailyCredit, DailyRollup, TimeEntry
from focushub.tracking.streaks import streak_for


class UserStats:
    """Lazily computed totals for one user; see the module docstring."""

    def __init__(self, user: User):
        self.user = user

    @cached_property
    def total_seconds(self) -> int:
        # Credited time (the union of counting entries, focushub.tracking.credit), kept
        # per UTC day: one SUM.
        total = DailyCredit.objects.filter(user_id=self.user.pk).aggregate(total=Sum("seconds"))["total"]
        return int(total or 0)

    @cached_property
    def best_project_seconds(self) -> int:
        # Credited time per project, one GROUP BY project.
        rows = (
            DailyRollup.objects.filter(user_id=self.user.pk)
            .values("project_id")
            .annotate(total=Sum("credited"))
            .values_list("total", flat=True)
        )
        return max((int(total) for total in rows), default=0)

    @cached_property
    def _entry_facts(self) -> dict:
        zone = user_zone(self.user)
        local_minute = ExtractHour("start_time", tzinfo=zone) * 60 + ExtractMinute("start_time", tzinfo=zone)
        # Time-of-day badges are about starting a timer then: only live timer entries
        # (running or stopped, never typed in or edited) say when someone started.
        live = Q(source=TimeEntry.Source.TIMER)
        return TimeEntry.objects.filter(user_id=self.user.pk).aggregate(
            completed=Count("id", filter=Q(end_time__isnull=False)),
            earliest=Min(local_minute, filter=live),
            latest=Max(local_minute, filter=live),
        )

    @property
    def completed_entries(self) -> int:
        return self._entry_facts["completed"]

    @property
    def earliest_start_minute(self) -> int | None:
        return self._entry_facts["earliest"]

    @property
    def latest_start_minute(self) -> int | None:
        return self._entry_facts["latest"]

    @cached_property
    def projects_created(self) -> int:
        return Project.objects.filter(owner_id=self.user.pk).aggregate(n=Count("id"))["n"]

    @cached_property
    def streak(self) -> tuple[int, int]:
        return streak_for(self.user)

    @property
    def best_streak_days(self) -> int:
        # A streak badge is earned once any run of days reaches the target, so the longest
        # run counts (the current one is never longer than it).
        current, longest = self.streak
        return max(current, longest)

