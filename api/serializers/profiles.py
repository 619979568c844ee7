"""Wire shape of GET /users/{username} (docs/api.md): user, totals, badges, public projects,
streak, and the all-time rank."""

from rest_framework import serializers

from api.serializers.badges import EarnedBadgeOutput
from api.serializers.common import IsoDateTime, StreakOutput, UserBriefOutput


class PublicUserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    avatar_url = serializers.CharField()
    bio = serializers.CharField()
    created_at = IsoDateTime()


class TotalsOutput(serializers.Serializer):
    all_time = serializers.IntegerField(help_text="Seconds tracked, all projects.")
    this_week = serializers.IntegerField(help_text="Seconds tracked this ISO week (UTC).")


class RankOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    score = serializers.IntegerField()


class ProfileProjectOutput(serializers.Serializer):
    """A project on a profile, with the profile owner's role in it (`member_role`)."""

    id = serializers.IntegerField(source="project.id")
    name = serializers.CharField(source="project.name")
    description = serializers.CharField(source="project.description")
    visibility = serializers.CharField(source="project.visibility")
    color = serializers.CharField(source="project.color")
    archived = serializers.BooleanField(source="project.archived")
    owner = UserBriefOutput(source="project.owner")
    created_at = IsoDateTime(source="project.created_at")
    member_role = serializers.CharField(source="role")


class PublicProfileOutput(serializers.Serializer):
    user = PublicUserOutput()
    totals = TotalsOutput()
    badges = EarnedBadgeOutput(many=True)
    projects = ProfileProjectOutput(many=True, source="memberships")
    streak = StreakOutput()
    rank = RankOutput(allow_null=True, help_text="Place on the all-time time board; null when not on it.")
    rank_available = serializers.BooleanField(
        help_text="False while the leaderboard store is unreachable (rank is then null)."
    )
