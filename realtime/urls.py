from django.urls import re_path

from realtime import views

urlpatterns = [
    re_path(r"^live/?$", views.live_page, name="live"),
]
