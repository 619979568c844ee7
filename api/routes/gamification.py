from django.urls import re_path

from api.views import badges, fair_play, profiles, timeline

# Only what a username can be (focushub.accounts.rules); anything else is a 404 before any
# query runs (PostgreSQL refuses NUL bytes in a string, for one).
USERNAME = r"(?P<username>[A-Za-z0-9_-]{1,30})"

urlpatterns = [
    re_path(r"^badges/?$", badges.BadgeListView.as_view(), name="badges"),
    re_path(r"^badges/recent/?$", badges.RecentUnlocksView.as_view(), name="badges-recent"),
    re_path(r"^badges/(?P<badge_id>[^/]+)/?$", badges.BadgeDetailView.as_view(), name="badge-detail"),
    re_path(r"^timeline/?$", timeline.MyTimelineView.as_view(), name="timeline"),
    re_path(r"^projects/(?P<project_id>[^/]+)/timeline/?$", timeline.ProjectTimelineView.as_view(),
            name="project-timeline"),
    re_path(rf"^users/{USERNAME}/timeline/?$", timeline.UserTimelineView.as_view(), name="user-timeline"),
    re_path(rf"^users/{USERNAME}/leaderboard-hidden/?$", fair_play.LeaderboardHiddenView.as_view(),
            name="user-leaderboard-hidden"),
    re_path(rf"^users/{USERNAME}/?$", profiles.ProfileView.as_view(), name="user-profile"),
]
