from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("realtime.urls")),
    path("", include("api.urls")),
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]

handler400 = "api.errors.bad_request_view"
handler403 = "api.errors.permission_denied_view"
handler404 = "api.errors.not_found_view"
handler500 = "api.errors.server_error_view"
