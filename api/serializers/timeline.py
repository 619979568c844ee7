"""Wire shape of a timeline event (docs/api.md): {id, kind, actor (user), project (id or
null), payload, created_at}."""

from rest_framework import serializers

from api.serializers.common import IsoDateTime, UserBriefOutput


class EventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    actor = UserBriefOutput()
    project = serializers.IntegerField(source="project_id", allow_null=True)
    payload = serializers.JSONField()
    created_at = IsoDateTime()
