"""Pagination of lists (SPEC §6: `results`, `next`, `previous`).

- ProjectPagination: `?limit=&offset=` (plus `count`); lists a person can page through
  by number, and bad values fall back to the defaults instead of failing.
- Cursors (`?cursor=`, opaque): TimeEntryCursor over (-start_time, -id), TimelineCursor
  over -id; both stable while rows are added. A cursor is decoded client input: one that
  was tampered with (not base64, a position of the wrong type, a date out of range) is a
  400 `validation_error`, never a database error or a 500.
"""

from datetime import UTC

from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.pagination import CursorPagination, LimitOffsetPagination

from focushub.ids import parse_id


class ProjectPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 100


class _CheckedCursor(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200

    def position_valid(self, position: str) -> bool:
        raise NotImplementedError

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
