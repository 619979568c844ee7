"""Wire shapes of /badges (docs/api.md): a badge is {id, slug, name, description, criteria,
image_url, earned_at, progress}, plus `active`. Input serializers check types and sizes;
criteria rules are the domain's (focushub.badges.criteria), which names the field."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.common import (
    FlagField,
    IsoDateTime,
    QueryInput,
    StrictInput,
    TextField,
    UserBriefOutput,
    WholeNumber,
)


@extend_schema_field(OpenApiTypes.OBJECT)
class CriteriaField(serializers.Field):
    """A JSON object; multipart forms send it as a JSON string."""

    # str.format()-ed by DRF, hence the doubled braces.
    default_error_messages = {"invalid": 'Must be a JSON object, e.g. {{"type": "total_time", "seconds": 3600}}.'}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class BadgeInput(StrictInput):
    """POST /badges (JSON, or multipart with an `image` file); PATCH takes any subset."""

    slug = serializers.SlugField(max_length=50)
    name = TextField(max_length=100)
    description = TextField(max_length=500, allow_blank=True, required=False, default="")
    criteria = CriteriaField()
    image_url = serializers.URLField(max_length=500, allow_blank=True, required=False, default="")
    image = serializers.FileField(required=False, write_only=True, help_text="PNG, JPEG, GIF or WebP, at most 1 MB.")
    active = FlagField(required=False, default=True)


class ProgressOutput(serializers.Serializer):
    current = serializers.IntegerField()
    target = serializers.IntegerField()
    ratio = serializers.FloatField(help_text="min(current / target, 1)")


class BadgeBriefOutput(serializers.Serializer):
    """A badge as events carry it (focushub.badges.presenters.badge_brief)."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    image_url = serializers.CharField()


class BadgeOutput(BadgeBriefOutput):
    criteria = serializers.JSONField()
    active = serializers.BooleanField()
    earned_at = IsoDateTime(allow_null=True)
    progress = serializers.SerializerMethodField()

    @extend_schema_field(ProgressOutput)
    def get_progress(self, badge) -> dict:
        return self.context["progress"][badge.pk]


class EarnedBadgeOutput(serializers.Serializer):
    """A badge on a profile: the badge and when it was earned."""

    id = serializers.IntegerField(source="badge.id")
    slug = serializers.CharField(source="badge.slug")
    name = serializers.CharField(source="badge.name")
    description = serializers.CharField(source="badge.description")
    image_url = serializers.CharField(source="badge.image_url")
    earned_at = IsoDateTime(source="awarded_at")


class RecentUnlocksQuery(QueryInput):
    depends_on_text_alone = True
    limit = WholeNumber(min_value=1, max_value=50, default=10, help_text="How many, newest first.")


class RecentUnlockOutput(serializers.Serializer):
    """One public badge unlock: who, which badge (as it was when awarded), and when."""

    user = UserBriefOutput()
    badge = BadgeBriefOutput()
    awarded_at = serializers.DateTimeField()
