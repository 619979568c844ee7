"""Output fields every area shares, so a timestamp, a user or a streak has one wire shape
(SPEC §6) wherever it appears."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from focushub.presenters import iso, user_brief


@extend_schema_field(OpenApiTypes.DATETIME)
class IsoDateTime(serializers.ReadOnlyField):
    """ISO 8601 UTC with Z, the same text as in websocket frames (focushub.presenters.iso)."""

    def to_representation(self, value):
        return iso(value)


class UserBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    avatar_url = serializers.CharField()

    def to_representation(self, instance):
        return user_brief(instance)


class StreakOutput(serializers.Serializer):
    """Consecutive local days with at least 15 minutes tracked (focushub.tracking.streaks)."""

    current = serializers.IntegerField()
    longest = serializers.IntegerField()
