"""The query of the README badges (api/views/readme_badges.py): the boards' metric and
period, the same defaults as GET /leaderboard."""

from rest_framework import serializers

from api.serializers.common import QueryInput
from focushub.leaderboards.boards import METRICS, PERIODS, SCOPED_METRICS
from focushub.leaderboards.selectors import DEFAULT_METRIC, DEFAULT_PERIOD


class BadgeQuery(QueryInput):
    depends_on_text_alone = True
    metric = serializers.ChoiceField(METRICS, default=DEFAULT_METRIC, help_text="Seconds tracked or badges earned.")
    period = serializers.ChoiceField(PERIODS, default=DEFAULT_PERIOD, help_text="UTC day, ISO week, month or all time.")


class ProjectBadgeQuery(BadgeQuery):
    """A project's boards are only the scoped metrics'."""

    metric = serializers.ChoiceField(SCOPED_METRICS, default=DEFAULT_METRIC, help_text="Seconds tracked.")
