"""Operators' view of the SQL board store (embedded mode). Read-only: a score edited by
hand would be drift, which the scheduled rebuild (boards_rebuild_current) undoes."""

from django.contrib import admin

from focushub.admin import ReadOnlyAdmin
from focushub.leaderboards.models import BoardScore


@admin.register(BoardScore)
class BoardScoreAdmin(ReadOnlyAdmin):
    list_display = ("board", "user", "score")
    search_fields = ("=board", "user__username")
    list_select_related = ("user",)
    ordering = ("board", "-score", "user_id")
    show_full_result_count = False  # COUNT(*) over every board would scan the table

