from django.urls import re_path

from api.views import projects

urlpatterns = [
    re_path(r"^projects/?$", projects.ProjectListView.as_view(), name="projects"),
    re_path(r"^projects/(?P<project_id>[^/]+)/?$", projects.ProjectDetailView.as_view(), name="project-detail"),
    re_path(r"^projects/(?P<project_id>[^/]+)/members/?$", projects.MemberListView.as_view(), name="project-members"),
    re_path(
        r"^projects/(?P<project_id>[^/]+)/members/(?P<user_id>[^/]+)/?$",
        projects.MemberDetailView.as_view(),
        name="project-member-detail",
    ),
]
