"""Fields every area shares, so a timestamp, a user or a streak has one wire shape (docs/api.md)
wherever it appears, and a client's text, number, flag or time is read by one rule
wherever it is sent.

Input fields take a value only in the type the OpenAPI document gives it (docs/api.md,
"Input"): in a JSON body a JSON string, integer or boolean, never DRF's coercions (12345
for "12345", "1.0" or "yes"); in a query string or a form the text of one (`17`,
`true`). Query serializers (QueryInput) refuse a parameter sent empty instead of reading
it as absent, and bodies that refuse unknown fields (StrictInput) say so in the
document."""

from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from api.memo import Memo
from focushub.ids import MAX_ID, parse_int
from focushub.presenters import iso, user_brief

# DRF's CharField refuses NUL (no database stores it); one that trims whitespace and may
# not be blank also needs a character that is not whitespace. (drf-spectacular adds the
# empty string beside the pattern where a field allows it.)
NO_NUL = r"^[^\u0000]+$"
NOT_BLANK = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


class QueryInput(serializers.Serializer):
    """The parameters of a query string. One sent with no value (`?to=`) is a 400 naming it,
    not read as absent (DRF's habit from HTML forms): a client that meant to send a value
    hears about it, and the document says exactly what each parameter takes."""

    # True where what a query string validates to depends on its text alone (no clock, no
    # caller, no stored data): read() then validates each distinct query string once per
    # process. A public board or badge polled by thousands sends the same few strings, and
    # DRF copies every declared field on each instance it builds (~20 % of a kept
    # leaderboard read under cProfile, bench/README.md).
    depends_on_text_alone = False
    _validated: Memo[str, dict]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._validated = Memo()

    @classmethod
    def read(cls, request) -> dict:
        """The request's query parameters, validated (a 400 naming each bad one, as
        is_valid(raise_exception=True) gives). Only valid strings are remembered."""
        raw = request.META.get("QUERY_STRING", "")
        kept = cls._validated.get(raw) if cls.depends_on_text_alone else None
        if kept is None:
            given = cls(data=request.query_params)
            given.is_valid(raise_exception=True)
            kept = dict(given.validated_data)
            if cls.depends_on_text_alone:
                cls._validated.keep(raw, kept)
        return dict(kept)  # a copy: the caller may change it

    def to_internal_value(self, data):
        sent_empty = {name: ["May not be empty."] for name in self.fields if data.get(name) == ""}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**exc.detail, **sent_empty}) from exc
        if sent_empty:
            raise serializers.ValidationError(sent_empty)
        return value


def _sent_as_text(field: serializers.Field) -> bool:
    """A query string or a multipart form carries every value as text; JSON has types."""
    return isinstance(getattr(field.root, "initial_data", None), QueryDict)


class StrictInput(serializers.Serializer):
    """A body whose unknown fields are refused by name rather than ignored, so a typo does
    not pass silently; NOT_HERE explains fields a client may expect to set here. The
    document says so (additionalProperties: false)."""

    NOT_HERE: dict[str, str] = {}

    def validate(self, attrs):
        unknown = {
            str(name)[:100]: [self.NOT_HERE.get(name, "Unknown field.")]
            for name in self.initial_data
            if name not in self.fields
        }
        if unknown:
            raise serializers.ValidationError(unknown)
        return attrs


class _StrictInputSchema(OpenApiSerializerExtension):
    target_class = StrictInput
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


class TextField(serializers.CharField):
    """Text: only a JSON string (DRF's would turn 12345 into "12345").

    `stated` adds to the document a rule the service checks (a username's pattern): the
    service reports it together with every other field's problem, so the door states it
    rather than refusing first."""

    def __init__(self, *, stated: dict | None = None, **kwargs):
        self.stated = stated or {}
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class _TextSchema(OpenApiSerializerFieldExtension):
    """States the NUL and blank rules DRF applies to every text, unless the field's own
    pattern or list of values already says more."""

    target_class = TextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {**auto_schema._map_serializer_field(field, direction, bypass_extensions=True), **field.stated}
        if not ({"pattern", "enum"} & set(schema) or any(isinstance(v, RegexValidator) for v in field.validators)):
            schema["pattern"] = NOT_BLANK if field.trim_whitespace and not field.allow_blank else NO_NUL
        return schema


class FlagField(serializers.BooleanField):
    """A boolean: JSON true/false, or `true`/`false` in a query string or form. DRF's would
    also take "yes", "off", 1 and 0."""

    WORDS = {"true": True, "false": False}
    default_empty_html = empty  # left out of a query string or form means not given, not false

    def to_internal_value(self, data):
        value = self.WORDS.get(data) if _sent_as_text(self) and isinstance(data, str) else data
        if not isinstance(value, bool):
            self.fail("invalid", input=str(data)[:50])
        return value


class WholeNumber(serializers.IntegerField):
    """An integer: a JSON integer (not 1.0, "1" or true), or ASCII digits in a query string
    or form (focushub.ids). DRF's would take "1.0", " 1" and Arabic-Indic digits."""

    def to_internal_value(self, data):
        if _sent_as_text(self):
            value = parse_int(data) if isinstance(data, str) else None
        else:
            value = data if isinstance(data, int) and not isinstance(data, bool) else None
        if value is None:
            self.fail("invalid")
        return super().to_internal_value(value)


class IdField(WholeNumber):
    """A database id: a positive integer that fits a BIGINT."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


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
