"""Django admin for the badge catalog and a read-only view of awards.

Badge saves go through the same services as the REST API, so criteria are validated
once, the same way, and the admin form shows the validator's message on `criteria`.
Awards are made only by the evaluation and never revoked, so they cannot be edited here.
"""

from django import forms
from django.contrib import admin

from focushub.admin import ReadOnlyAdmin
from focushub.badges.criteria import validate_criteria
from focushub.badges.models import Badge, UserBadge
from focushub.badges.services import badge_create, badge_update
from focushub.errors import ValidationFailed

_FIELDS = ("slug", "name", "description", "criteria", "image_url", "active")


class BadgeForm(forms.ModelForm):
    image_url = forms.URLField(max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Badge
        fields = _FIELDS

    def clean_criteria(self):
        try:
            return validate_criteria(self.cleaned_data.get("criteria"))
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.errors["criteria"]) from exc


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    form = BadgeForm
    list_display = ("slug", "name", "criteria", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("slug", "name")

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in _FIELDS}
        if change:
            saved = badge_update(actor=request.user, badge_id=obj.pk, **fields)
        else:
            saved = badge_create(actor=request.user, **fields)
        obj.pk, obj.created_at = saved.pk, saved.created_at


@admin.register(UserBadge)
class UserBadgeAdmin(ReadOnlyAdmin):
    list_display = ("user", "badge", "awarded_at", "value", "entry")
    list_filter = ("badge",)
    search_fields = ("user__username", "badge__slug")
    list_select_related = ("user", "badge")
    readonly_fields = ("user", "badge", "awarded_at", "value", "entry")

