from django.urls import re_path

from realtime import views

urlpatterns = [
    re_path(r"^live/?$", views.live_page, name="live"),
    re_path(r"^live/embed/?$", views.live_embed, name="live-embed"),
    re_path(r"^asyncapi\.json$", views.asyncapi, name="asyncapi"),
    re_path(r"^favicon\.ico$", views.favicon, name="favicon"),
]
