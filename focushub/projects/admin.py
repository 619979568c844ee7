"""Operators' view of projects. Edits here bypass the services (no events, no rollup
or board upkeep), so ownership and deletion are left to the API; the admin is for
looking, fixing names and archiving."""

from django.contrib import admin

from focushub.projects.models import Project, ProjectMember


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("joined_at",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "owner", "visibility", "archived", "created_at")
    list_filter = ("visibility", "archived")
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("created_at",)
    inlines = (ProjectMemberInline,)
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None):
        # Deleting must also take the project's time off the leaderboards: use the API.
        return False


@admin.register(ProjectMember)
class ProjectMemberAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "user", "role", "joined_at")
    list_filter = ("role",)
    search_fields = ("project__name", "user__username")
    list_select_related = ("project", "user")
    raw_id_fields = ("project", "user")
