"""Django admin for operators: find users, change roles, deactivate accounts, and look
at (never edit) issued refresh tokens. Admin-role users are the only staff."""

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms

from focushub.accounts.models import RefreshToken, User


class UserChangeForm(auth_forms.UserChangeForm):
    avatar_url = forms.URLField(required=False, max_length=500, assume_scheme="https")

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


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
    readonly_fields = ("created_at", "last_login")
    list_display = ("username", "email", "role", "is_active", "show_on_leaderboard", "created_at")
    list_editable = ("role",)
    list_filter = ("role", "is_active", "show_on_leaderboard")
    search_fields = ("username", "email")
    ordering = ("-created_at",)
    filter_horizontal = ()


@admin.register(RefreshToken)
class RefreshTokenAdmin(admin.ModelAdmin):
    list_display = ("jti", "user", "family", "issued_at", "expires_at", "used_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "=family", "=jti")
    ordering = ("-issued_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
