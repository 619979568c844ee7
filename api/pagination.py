"""Pagination of lists (docs/api.md: `results`, `next`, `previous`).

- Limit/offset (`?limit=&offset=`, plus `count`): projects, members and the badge
  catalog, lists a person pages through by number.
- Cursors (`?cursor=`, opaque, and `?limit=`): TimeEntryCursor over (-start_time, -id),
  TimelineCursor over -id; both stable while rows are added. A cursor is decoded client
  input: one that was tampered with (not base64, a position of the wrong type, a date out
  of range) is a 400 `validation_error`, never a database error or a 500.

Every paging parameter is read by one query serializer per paginator (PageQuery), which
is also what the OpenAPI document shows: a bad, out-of-range or empty value is a 400
naming it, as for any other query parameter (DRF would fall back to the default).
"""

from datetime import UTC

from django.core.validators import RegexValidator
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiFilterExtension
from drf_spectacular.plumbing import build_parameter_type
from rest_framework import serializers
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.pagination import BasePagination, CursorPagination, LimitOffsetPagination

from api.serializers.common import QueryInput, TextField, WholeNumber
from focushub.ids import MAX_ID, parse_id

BASE64 = RegexValidator(r"\A[A-Za-z0-9+/]+={0,2}\Z", message="Invalid cursor.")


class PageQuery(QueryInput):
    """`limit`, and `offset` or `cursor`, as the paginator that builds it takes them."""

    def __init__(self, paginator, **kwargs):
        self.paginator = paginator
        super().__init__(**kwargs)

    def get_fields(self):
        page = self.paginator
        fields = {"limit": WholeNumber(
            required=False, min_value=1, max_value=page.max_limit, help_text=f"Default {page.default_limit}."
        )}
        if isinstance(page, CursorPagination):
            fields["cursor"] = TextField(
                required=False, validators=[BASE64], help_text="From a page's `next` or `previous`; opaque."
            )
        else:
            fields["offset"] = WholeNumber(required=False, min_value=0, max_value=MAX_ID, help_text="Default 0.")
        return fields


class _Paged(BasePagination):
    default_limit: int
    max_limit: int

    def page_query(self, request) -> dict:
        query = PageQuery(self, data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


class _PageParameters(OpenApiFilterExtension):
    """The paging parameters in the document, mapped from the PageQuery that reads them."""

    target_class = _Paged
    match_subclasses = True

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        mapped = auto_schema._map_serializer(PageQuery(self.target), "request")
        return [
            build_parameter_type(name=name, schema=schema, location="query", description=schema.pop("description"))
            for name, schema in mapped["properties"].items()
        ]


class _LimitOffset(_Paged, LimitOffsetPagination):
    def get_limit(self, request) -> int:
        return self.page_query(request).get("limit", self.default_limit)

    def get_offset(self, request) -> int:
        return self.page_query(request).get("offset", 0)


class ProjectPagination(_LimitOffset):
    default_limit = 50
    max_limit = 100


class CatalogPagination(_LimitOffset):
    default_limit = 100
    max_limit = 200


class _CheckedCursor(_Paged, CursorPagination):
    default_limit = page_size = 50
    max_limit = 200

    def position_valid(self, position: str) -> bool:
        raise NotImplementedError

    def get_page_size(self, request) -> int:
        return self.page_query(request).get("limit", self.default_limit)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except DrfNotFound as exc:
            raise serializers.ValidationError({"cursor": ["Invalid cursor."]}) from exc
        # The position is compared with the ordering column in SQL: anything else there
        # would be a database error.
        if cursor is not None and cursor.position is not None and not self.position_valid(cursor.position):
            raise serializers.ValidationError({"cursor": ["Invalid cursor."]})
        return cursor


class TimeEntryCursor(_CheckedCursor):
    ordering = ("-start_time", "-id")

    def position_valid(self, position: str) -> bool:
        try:
            moment = parse_datetime(position)
            return moment is not None and moment.tzinfo is not None and moment.astimezone(UTC) is not None
        except (ValueError, OverflowError):  # e.g. 0001-01-01T00:00:00+14:00 is before year 1 in UTC
            return False


class TimelineCursor(_CheckedCursor):
    """Event ids are monotonic, so paging by -id is stable while new events arrive (they
    only ever appear before the first page)."""

    ordering = "-id"

    def position_valid(self, position: str) -> bool:
        return parse_id(position) is not None
