"""Output fields every area shares, so a timestamp, a user or a streak has one wire shape
(SPEC §6) wherever it appears."""

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from focushub.presenters import iso, user_brief


class InstantInput(serializers.DateTimeField):
    """A point in time a client sends: ISO 8601 with its UTC offset (`Z` or `+01:00`). A
    time without one, or a bare date, is refused rather than guessed at: the server's zone,
    UTC or the user's zone would each be wrong for somebody (docs/api.md, "Times")."""

    default_error_messages = {
        "offset": "Include the UTC offset, e.g. 2026-11-29T09:30:00Z or 2026-11-29T10:30:00+01:00.",
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())  # a bare date parses as a naive midnight
            except ValueError:
                parsed = None  # out of range: the field's own message says so
            if parsed is not None and parsed.tzinfo is None:
                self.fail("offset")
        return super().to_internal_value(value)


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
