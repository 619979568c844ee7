from django.urls import re_path

from api.views import accounts

urlpatterns = [
    re_path(r"^auth/signup/?$", accounts.SignupView.as_view(), name="auth-signup"),
    re_path(r"^auth/login/?$", accounts.LoginView.as_view(), name="auth-login"),
    re_path(r"^auth/refresh/?$", accounts.RefreshView.as_view(), name="auth-refresh"),
    re_path(r"^auth/logout/?$", accounts.LogoutView.as_view(), name="auth-logout"),
    re_path(r"^users/me/?$", accounts.MeView.as_view(), name="users-me"),
    re_path(r"^users/me/avatar/?$", accounts.AvatarView.as_view(), name="users-me-avatar"),
]
