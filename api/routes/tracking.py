from django.urls import re_path

from api.views import tracking

# The fixed paths come before /time-entries/{id}, whose id pattern would match them.
urlpatterns = [
    re_path(r"^time-entries/?$", tracking.TimeEntryListView.as_view(), name="time-entries"),
    re_path(r"^time-entries/start/?$", tracking.TimerStartView.as_view(), name="timer-start"),
    re_path(r"^time-entries/stop/?$", tracking.TimerStopView.as_view(), name="timer-stop"),
    re_path(r"^time-entries/current/?$", tracking.CurrentEntryView.as_view(), name="timer-current"),
    re_path(r"^time-entries/export/?$", tracking.ExportView.as_view(), name="time-entries-export"),
    re_path(r"^time-entries/(?P<entry_id>[^/]+)/?$", tracking.TimeEntryDetailView.as_view(), name="time-entry-detail"),
    re_path(r"^activity/overview/?$", tracking.OverviewView.as_view(), name="activity-overview"),
]
