"""Wire shapes of time entries, the overview and the export query. The fields declare
the OpenAPI schema; the data itself comes from focushub.tracking.presenters, the same
objects websocket frames and event payloads carry."""

from rest_framework import serializers

from api.serializers.common import FlagField, IdField, InstantInput, IsoDateTime, QueryInput, StreakOutput, TextField
from api.serializers.projects import ProjectBriefOutput
from focushub.tracking.models import TimeEntry
from focushub.tracking.presenters import entry_data, start_data
from focushub.tracking.services import MAX_DESCRIPTION


class _RangeQuery(QueryInput):
    """`from` and `to` are Python keywords, so the fields are declared as from_/to_
    and exposed under their wire names."""

    def get_fields(self):
        fields = super().get_fields()
        for wire in ("from", "to"):
            fields[wire] = fields.pop(f"{wire}_")
        return fields

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError({"from": ["Must not be after `to`."]})
        return attrs


class TimeEntryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    project = ProjectBriefOutput()
    description = serializers.CharField()
    start_time = IsoDateTime()
    end_time = IsoDateTime(allow_null=True, help_text="null while the timer runs")
    duration = serializers.IntegerField(allow_null=True, help_text="seconds; null while the timer runs")
    source = serializers.ChoiceField(
        TimeEntry.Source.choices,
        help_text="timer: started and stopped live; manual: typed in with both ends; edited: a timer entry "
        "whose times were changed later (docs/leaderboards.md, Fair play)",
    )
    created_at = IsoDateTime()
    updated_at = IsoDateTime()

    def to_representation(self, instance):
        return entry_data(instance)


class TimerStartOutput(serializers.Serializer):
    """A timer started, in the one shape REST and both socket messages share (start_data):
    the running entry and the entry this start stopped at the same instant, or null."""

    entry = TimeEntryOutput()
    stopped = TimeEntryOutput(allow_null=True)

    def to_representation(self, instance):
        return start_data(instance.entry, instance.stopped)


class TimeEntryCreateInput(serializers.Serializer):
    """A manual entry. `duration` is derived by the server; a client's is ignored."""

    project = IdField()
    start_time = InstantInput()
    end_time = InstantInput()
    description = TextField(max_length=MAX_DESCRIPTION, allow_blank=True, required=False, default="")


class TimeEntryUpdateInput(serializers.Serializer):
    project = IdField(required=False)
    start_time = InstantInput(required=False)
    end_time = InstantInput(required=False, allow_null=True)
    description = TextField(max_length=MAX_DESCRIPTION, allow_blank=True, required=False)


class TimerStartInput(serializers.Serializer):
    project = IdField()
    description = TextField(max_length=MAX_DESCRIPTION, allow_blank=True, required=False, default="")


class TimeEntryListQuery(_RangeQuery):
    project = IdField(required=False)
    from_ = InstantInput(required=False, help_text="Entries that end after this instant.")
    to_ = InstantInput(required=False, help_text="Entries that start before this instant.")
    running = FlagField(required=False)
    source = serializers.ChoiceField(TimeEntry.Source.choices, required=False, help_text="Only entries of this source.")


class ExportQuery(_RangeQuery):
    format = serializers.ChoiceField(["csv", "ical"], default="csv")
    from_ = InstantInput(required=False)
    to_ = InstantInput(required=False)


class OverviewQuery(_RangeQuery):
    from_ = serializers.DateField(required=False, help_text="First day (user's timezone); default `to` - 6 days.")
    to_ = serializers.DateField(required=False, help_text="Last day (user's timezone); default today.")


class DaySecondsOutput(serializers.Serializer):
    date = serializers.DateField()
    seconds = serializers.IntegerField(help_text="tracked: the entries' durations added up")
    credited = serializers.IntegerField(help_text="what boards and badges count: overlaps once, back-dated entries not")


class ProjectSecondsOutput(serializers.Serializer):
    project = ProjectBriefOutput()
    seconds = serializers.IntegerField()


class OverviewOutput(serializers.Serializer):
    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields

    timezone = serializers.CharField()
    total = serializers.IntegerField(help_text="seconds tracked")
    credited = serializers.IntegerField(help_text="seconds credited on boards and badges (docs/leaderboards.md)")
    by_day = DaySecondsOutput(many=True)
    by_project = ProjectSecondsOutput(many=True)
    recent_entries = TimeEntryOutput(many=True)
    streak = StreakOutput()
