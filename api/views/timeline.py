"""Timeline doors (docs/api.md): GET /timeline, /projects/{id}/timeline, /users/{username}/timeline.

Who sees what is decided by focushub.timeline.selectors (the same rules the websocket
replay uses); these views only pick the selector, paginate newest first and serialize.
The public timelines (a project's, a user's) may be read from a replica
(focushub/replicas.py): their page is marked where the paginator reads it, after the
access check, which reads the primary. My own timeline reads the primary, like my entries.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from api.pagination import TimelineCursor
from api.serializers.timeline import EventOutput
from focushub.accounts.selectors import user_by_username
from focushub.errors import NotFound
from focushub.projects.selectors import project_visible
from focushub.replicas import lag_tolerant
from focushub.timeline import selectors


class _TimelineView(ListAPIView):
    serializer_class = EventOutput
    pagination_class = TimelineCursor


@extend_schema(tags=["timeline"])
class MyTimelineView(_TimelineView):
    """Everything I did, and what happened on the projects I belong to."""

    def get_queryset(self):
        return selectors.events_for_user_feed(self.request.user.pk).select_related("actor")


class _PublicTimelineView(_TimelineView):
    def paginate_queryset(self, queryset):
        return lag_tolerant(super().paginate_queryset)(queryset)


@extend_schema(tags=["timeline"])
class ProjectTimelineView(_PublicTimelineView):
    """A project's timeline: members see it all; others only a public project's public events."""

    def get_queryset(self):
        project = project_visible(user_id=self.request.user.pk, project_id=self.kwargs["project_id"])
        events = selectors.events_for_project(project.pk, is_member=project.role is not None)
        return events.select_related("actor")


@extend_schema(tags=["timeline"])
class UserTimelineView(_PublicTimelineView):
    """A user's public timeline; their own, in full, when they read it themself."""

    def get_queryset(self):
        user = user_by_username(self.kwargs["username"])
        if user is None:
            raise NotFound("No such user.")
        events = selectors.events_by_user_for_viewer(actor_id=user.pk, viewer_id=self.request.user.pk)
        return events.select_related("actor")
