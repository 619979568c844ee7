from django.urls import re_path

from api.views import badges, profiles, timeline

urlpatterns = [
    re_path(r"^badges/?$", badges.BadgeListView.as_view(), name="badges"),
    re_path(r"^badges/(?P<badge_id>[^/]+)/?$", badges.BadgeDetailView.as_view(), name="badge-detail"),
    re_path(r"^timeline/?$", timeline.MyTimelineView.as_view(), name="timeline"),
    re_path(r"^projects/(?P<project_id>[^/]+)/timeline/?$", timeline.ProjectTimelineView.as_view(),
            name="project-timeline"),
    re_path(r"^users/(?P<username>[^/]+)/timeline/?$", timeline.UserTimelineView.as_view(), name="user-timeline"),
    re_path(r"^users/(?P<username>[^/]+)/?$", profiles.ProfileView.as_view(), name="user-profile"),
]
