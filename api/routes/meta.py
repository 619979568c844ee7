from django.urls import re_path

from api.views import meta

urlpatterns = [
    re_path(r"^healthz/?$", meta.HealthView.as_view(), name="healthz"),
    re_path(r"^readyz/?$", meta.ReadyView.as_view(), name="readyz"),
]
