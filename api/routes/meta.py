from django.urls import re_path

from api.views import meta

urlpatterns = [
    re_path(r"^healthz/?$", meta.HealthView.as_view(), name="healthz"),
    re_path(r"^readyz/?$", meta.ReadyView.as_view(), name="readyz"),
    re_path(r"^openapi\.json$", meta.OpenApiView.as_view(), name="openapi"),
    re_path(r"^docs/?$", meta.DocsView.as_view(url_name="openapi"), name="docs"),
]
