"""Django admin for operators: find users, change roles, deactivate accounts, and look
at (never edit) issued refresh tokens. Admin-role users are the only staff."""

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.db import models

from focushub.accounts.models import RefreshToken, User
from focushub.accounts.services import user_sessions_revoke
from focushub.admin import ReadOnlyAdmin
from focushub.leaderboards.fair_play import user_leaderboard_hide


class HttpsUrlField(forms.URLField):
    """Scheme-less URLs typed by an operator mean https (Django 6's default, chosen now)."""

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        field_classes = {**auth_forms.UserChangeForm.Meta.field_classes, "avatar_url": HttpsUrlField}


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "email", "password")}),
        ("Access", {"fields": ("role", "is_active")}),
        ("Profile", {"fields": ("timezone", "bio", "avatar_url", "show_on_leaderboard")}),
        ("Fair play", {"fields": ("leaderboard_hidden", "leaderboard_hidden_reason", "leaderboard_hidden_by")}),
        ("Dates", {"fields": ("created_at", "last_login")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "role", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("created_at", "last_login", "leaderboard_hidden_by")
    list_display = ("username", "email", "role", "is_active", "show_on_leaderboard", "leaderboard_hidden", "created_at")
    list_editable = ("role",)
    list_filter = ("role", "is_active", "show_on_leaderboard", "leaderboard_hidden")
    search_fields = ("username", "email")
    ordering = ("-created_at",)
    filter_horizontal = ()
    formfield_overrides = {models.URLField: {"form_class": HttpsUrlField}}

    def save_model(self, request, obj, form, change):
        hiding = {"leaderboard_hidden", "leaderboard_hidden_reason"} & set(form.changed_data) if change else set()
        if hiding:
            # Through the service, like the REST operation: it records who and why, and
            # takes the person off (or puts them back on) every board at once.
            saved = User.objects.get(pk=obj.pk)
            obj.leaderboard_hidden = saved.leaderboard_hidden
            obj.leaderboard_hidden_reason = saved.leaderboard_hidden_reason
        super().save_model(request, obj, form, change)
        if hiding:
            user_leaderboard_hide(
                admin=request.user, user_id=obj.pk, hidden=form.cleaned_data["leaderboard_hidden"],
                reason=form.cleaned_data["leaderboard_hidden_reason"],
            )
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_sessions_revoke(user_id=obj.pk)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the new password was saved
            user_sessions_revoke(user_id=int(id))
        return response


@admin.register(RefreshToken)
class RefreshTokenAdmin(ReadOnlyAdmin):
    list_display = ("jti", "user", "family", "issued_at", "expires_at", "used_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "=family", "=jti")
    ordering = ("-issued_at",)

