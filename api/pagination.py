"""Pagination of project-area lists (SPEC §6: `results`, `next`, `previous`).

- ProjectPagination: `?limit=&offset=` (plus `count`); lists a person can page through
  by number, and bad values fall back to the defaults instead of failing.
- TimeEntryCursor: an opaque `?cursor=` over (-start_time, -id), stable while entries
  are added; a cursor that was tampered with is a 400, never a 500.
"""

from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import NotFound as DrfNotFound
from rest_framework.pagination import CursorPagination, LimitOffsetPagination


class ProjectPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 100


class TimeEntryCursor(CursorPagination):
    ordering = ("-start_time", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except DrfNotFound as exc:
            raise serializers.ValidationError({"cursor": ["Invalid cursor."]}) from exc
        # The position is compared with start_time in SQL; anything but a datetime there
        # would be a database error.
        if cursor is not None and cursor.position is not None and _datetime_or_none(cursor.position) is None:
            raise serializers.ValidationError({"cursor": ["Invalid cursor."]})
        return cursor


def _datetime_or_none(text: str):
    try:
        return parse_datetime(text)
    except ValueError:
        return None
