"""Wire shapes of GET /leaderboard (docs/api.md). The domain returns plain data
(focushub.leaderboards.selectors.leaderboard_read); these serializers fix and document
its shape, which /ws/leaderboard sends too."""

from rest_framework import serializers

from api.serializers.common import IdField, QueryInput, WholeNumber
from focushub.leaderboards.boards import METRICS, PERIODS, SCOPED_METRICS
from focushub.leaderboards.selectors import DEFAULT_LIMIT, DEFAULT_METRIC, DEFAULT_PERIOD, MAX_LIMIT, MAX_OFFSET


class LeaderboardQuery(QueryInput):
    """What the document shows and REST checks first; focushub.leaderboards.selectors
    parse_board_query applies the same rules for both doors (and the scope rule)."""
    depends_on_text_alone = True

    metric = serializers.ChoiceField(METRICS, default=DEFAULT_METRIC, help_text="Seconds tracked or badges earned.")
    period = serializers.ChoiceField(PERIODS, default=DEFAULT_PERIOD, help_text="UTC day, ISO week, month or all time.")
    project = IdField(required=False, help_text=f"Rank one project's people ({', '.join(SCOPED_METRICS)} boards only).")
    limit = WholeNumber(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT, help_text="Rows per page.")
    offset = WholeNumber(min_value=0, max_value=MAX_OFFSET, default=0, help_text="Rows to skip.")


class LeaderboardUserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    avatar_url = serializers.CharField()


class LeaderboardRowOutput(serializers.Serializer):
    rank = serializers.IntegerField(help_text="Competition rank: ties share it (1, 2, 2, 4).")
    user = LeaderboardUserOutput()
    score = serializers.IntegerField(help_text="Seconds tracked (time) or badges earned (badges) in the period.")
    running_since = serializers.DateTimeField(
        allow_null=True,
        help_text="Start of the user's running timer (on this project, for a project board), or null. "
        "A live view shows score + seconds since max(running_since, period_start).",
    )


class LeaderboardMeOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    score = serializers.IntegerField()


class LeaderboardOutput(serializers.Serializer):
    metric = serializers.ChoiceField(choices=METRICS)
    period = serializers.ChoiceField(choices=PERIODS)
    project = serializers.IntegerField(allow_null=True, help_text="The project scope, or null for everyone.")
    period_key = serializers.CharField(help_text="e.g. 2026-11-25, 2026-W48, 2026-11 or all (UTC).")
    period_start = serializers.DateTimeField(allow_null=True, help_text="Inclusive; null for all time.")
    period_end = serializers.DateTimeField(allow_null=True, help_text="Exclusive; null for all time.")
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    rows = LeaderboardRowOutput(many=True)
    me = LeaderboardMeOutput(
        allow_null=True, help_text="The caller's own rank and score, wherever they are; null if not on the board."
    )
    version = serializers.IntegerField(help_text="Never decreases; compare to drop an older snapshot.")


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
