"""Operators' view of tracked time. Entries and rollups are read-only here: changing
them outside the services would leave rollups, leaderboards and timelines wrong (the
scheduled rebuild would heal rollups, but not events or badges)."""

from django.contrib import admin

from focushub.admin import ReadOnlyAdmin
from focushub.tracking.models import DailyRollup, TimeEntry


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "project", "start_time", "end_time", "duration", "description")
    list_filter = (("end_time", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "project__name", "description")
    list_select_related = ("user", "project")
    raw_id_fields = ("user", "project")
    date_hierarchy = "start_time"
    ordering = ("-start_time", "-id")


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyAdmin):
    list_display = ("id", "date", "user", "project", "seconds", "entries")
    search_fields = ("user__username", "project__name")
    list_select_related = ("user", "project")
    raw_id_fields = ("user", "project")
    date_hierarchy = "date"
    ordering = ("-date", "user_id")
