"""Time-entry doors (docs/api.md): list/create, one entry, the timer (start, stop,
current), the export and the activity overview. A caller only ever sees their own
entries: someone else's id is a 404."""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import TimeEntryCursor
from api.serializers.tracking import (
    ExportQuery,
    OverviewOutput,
    OverviewQuery,
    TimeEntryCreateInput,
    TimeEntryListQuery,
    TimeEntryOutput,
    TimeEntryUpdateInput,
    TimerStartInput,
    TimerStartOutput,
)
from focushub.tracking import export, selectors, services
from focushub.tracking.overview import activity_overview

_404 = OpenApiResponse(description="Not one of my entries / no such project (or a private one I am not in).")
_403 = OpenApiResponse(description="Tracking is for the project's owner, maintainers and contributors.")


def _entry_fields(data: dict) -> dict:
    """Validated input under the services' parameter names; only what the client sent."""
    return {("project_id" if name == "project" else name): value for name, value in data.items()}


@extend_schema_view(get=extend_schema(tags=["time entries"], parameters=[TimeEntryListQuery]))
class TimeEntryListView(ListAPIView):
    """GET: my entries overlapping [from, to), newest first, by cursor."""

    serializer_class = TimeEntryOutput
    pagination_class = TimeEntryCursor

    def get_queryset(self):
        query = TimeEntryListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return selectors.entries_of_user(
            user_id=self.request.user.pk,
            project_id=params.get("project"),
            start=params.get("from"),
            end=params.get("to"),
            running=params.get("running"),
            source=params.get("source"),
        )

    @extend_schema(
        tags=["time entries"], request=TimeEntryCreateInput, responses={201: TimeEntryOutput, 403: _403, 404: _404}
    )
    def post(self, request):
        """A manual (finished) entry; the server derives its duration."""
        data = TimeEntryCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.time_entry_create(user=request.user, **_entry_fields(data.validated_data))
        return Response(TimeEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class TimeEntryDetailView(APIView):
    @extend_schema(tags=["time entries"], responses={200: TimeEntryOutput, 404: _404})
    def get(self, request, entry_id):
        return Response(TimeEntryOutput(selectors.entry_of_user(user_id=request.user.pk, entry_id=entry_id)).data)

    @extend_schema(
        tags=["time entries"], request=TimeEntryUpdateInput, responses={200: TimeEntryOutput, 403: _403, 404: _404}
    )
    def patch(self, request, entry_id):
        """Edit; duration is re-derived. `end_time` on a running entry stops it."""
        data = TimeEntryUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.time_entry_update(user=request.user, entry_id=entry_id, **_entry_fields(data.validated_data))
        return Response(TimeEntryOutput(entry).data)

    @extend_schema(tags=["time entries"], responses={204: None, 404: _404})
    def delete(self, request, entry_id):
        """Delete; its time leaves every total and leaderboard."""
        services.time_entry_delete(user=request.user, entry_id=entry_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimerStartView(APIView):
    @extend_schema(
        tags=["timer"],
        request=TimerStartInput,
        responses={201: TimerStartOutput, 403: _403, 404: _404},
        description="Start a timer. The answer is `{entry, stopped}`: the running entry, and the entry this "
        "start stopped at the same instant (Toggl's behaviour) or null; the socket's `ok` and the "
        "`timer.started` event carry the same two fields.",
    )
    def post(self, request):
        data = TimerStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.time_entry_start(
            user=request.user, project_id=data.validated_data["project"],
            description=data.validated_data["description"],
        )
        return Response(TimerStartOutput(result).data, status=status.HTTP_201_CREATED)


class TimerStopView(APIView):
    @extend_schema(
        tags=["timer"], request=None,
        responses={200: TimeEntryOutput, 409: OpenApiResponse(description="`no_running_timer`")},
    )
    def post(self, request):
        return Response(TimeEntryOutput(services.time_entry_stop(user=request.user)).data)


class CurrentEntryView(APIView):
    @extend_schema(
        tags=["timer"],
        responses={200: OpenApiResponse(
            # OpenAPI 3.0 spells "this entry or null" as a nullable allOf of the component.
            {"allOf": [{"$ref": "#/components/schemas/TimeEntryOutput"}], "nullable": True},
            description="My running entry, or `null`.",
        )},
    )
    def get(self, request):
        entry = selectors.running_entry(user_id=request.user.pk)
        if entry is None:
            # DRF renders None as an empty body; clients expect the JSON literal.
            return HttpResponse(b"null", content_type="application/json")
        return Response(TimeEntryOutput(entry).data)


class _IgnoreFormatParameter(DefaultContentNegotiation):
    """Here `?format=` names the export format, not a DRF renderer; errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _streamed(request, chunks):
    """The chunks as the server streams them: under daphne, fed one at a time from the
    sync (database-reading) generator; under gunicorn (wsgi.py), the generator itself.
    Given the other kind, Django collects the whole response in memory first."""
    return _async_chunks(chunks) if isinstance(request._request, ASGIRequest) else chunks


async def _async_chunks(chunks):
    """Feed a synchronous (database-reading) generator to the ASGI server one chunk at a
    time, so the response streams instead of being collected in memory first."""
    step = sync_to_async(next, thread_sensitive=True)
    while (chunk := await step(chunks, None)) is not None:
        yield chunk


_EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "csv", export.csv_chunks, False),
    "ical": ("text/calendar; charset=utf-8", "ics", export.ical_chunks, True),
}


class ExportView(APIView):
    content_negotiation_class = _IgnoreFormatParameter

    @extend_schema(
        tags=["time entries"],
        parameters=[ExportQuery],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "text/calendar"): OpenApiTypes.STR},
        description="My entries overlapping [from, to), oldest first. CSV columns: id, project, description, "
        "start_time, end_time, duration_seconds (running entries have empty end and duration). iCal: one "
        "VEVENT per stopped entry.",
    )
    def get(self, request):
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        content_type, extension, render, stopped_only = _EXPORTS[params["format"]]
        batches = export.entry_batches(
            user_id=request.user.pk, start=params.get("from"), end=params.get("to"), stopped_only=stopped_only
        )
        response = StreamingHttpResponse(_streamed(request, render(batches)), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="focushub-entries.{extension}"'
        return response


class OverviewView(APIView):
    @extend_schema(tags=["activity"], parameters=[OverviewQuery], responses={200: OverviewOutput})
    def get(self, request):
        """Totals by day and by project over [from, to] in my timezone, recent entries, streak."""
        query = OverviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        overview = activity_overview(user=request.user, first=params.get("from"), last=params.get("to"))
        return Response(OverviewOutput(overview).data)
