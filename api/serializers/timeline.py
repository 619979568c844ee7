"""Wire shape of a timeline event (SPEC §6): {id, kind, actor (user), project (id or
null), payload, created_at}."""

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


class EventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    actor = UserBriefOutput()
    project = serializers.IntegerField(source="project_id", allow_null=True)
    payload = serializers.JSONField()
    created_at = IsoDateTime()
