from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows only services may write (entries, rollups, awards, board scores, tokens):
    the admin shows them, and changes go through the API so rollups, boards and events
    stay right."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
