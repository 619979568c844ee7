"""Wire shapes of /auth and /users/me. Input serializers check types and sizes only; the
rules (username format, uniqueness, time zones, password strength) are the domain's."""

from rest_framework import serializers

from api.serializers.common import IsoDateTime
from focushub.accounts import rules


class TextField(serializers.CharField):
    """A CharField that takes only JSON strings; DRF's would turn 12345 into "12345"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class FlagField(serializers.BooleanField):
    """Only JSON true/false; DRF's would also take "yes", "off", 1 and 0."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=str(data)[:50])
        return data


class SignupInput(serializers.Serializer):
    email = serializers.EmailField(max_length=rules.EMAIL_MAX)
    username = TextField(max_length=rules.USERNAME_MAX)
    password = TextField(max_length=rules.PASSWORD_MAX, trim_whitespace=False, write_only=True)


class LoginInput(serializers.Serializer):
    login = TextField(max_length=rules.EMAIL_MAX, help_text="Email or username, any case.")
    password = TextField(max_length=rules.PASSWORD_MAX, trim_whitespace=False, write_only=True)


class RefreshInput(serializers.Serializer):
    refresh = TextField(max_length=4096)


class ProfileOutput(serializers.Serializer):
    """The full own profile; others see only {id, username, avatar_url}."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    avatar_url = serializers.CharField()
    bio = serializers.CharField()
    timezone = serializers.CharField()
    show_on_leaderboard = serializers.BooleanField()
    role = serializers.CharField()
    created_at = IsoDateTime()


class SessionOutput(serializers.Serializer):
    user = ProfileOutput()
    access = serializers.CharField(source="tokens.access")
    refresh = serializers.CharField(source="tokens.refresh")


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class ProfileUpdateInput(serializers.Serializer):
    """PATCH /users/me. Unknown fields and fields not changeable here are refused by name
    rather than ignored, so a typo or an attempt to set `role` does not pass silently."""

    NOT_HERE = {
        "id": "Ids never change.",
        "role": "Roles are changed by an administrator.",
        "avatar_url": "Upload an image to POST /users/me/avatar instead.",
        "created_at": "This field is read-only.",
        "password": "Passwords cannot be changed here.",
    }

    username = TextField(required=False, max_length=rules.USERNAME_MAX)
    email = serializers.EmailField(required=False, max_length=rules.EMAIL_MAX)
    current_password = TextField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        max_length=rules.PASSWORD_MAX,
        help_text="Required when changing the email.",
    )
    bio = TextField(required=False, allow_blank=True, trim_whitespace=False, max_length=rules.BIO_MAX)
    timezone = TextField(required=False, max_length=rules.TIMEZONE_MAX)
    show_on_leaderboard = FlagField(required=False)

    def validate(self, attrs):
        unknown = {
            str(name)[:100]: [self.NOT_HERE.get(name, "Unknown field.")]
            for name in self.initial_data
            if name not in self.fields
        }
        if unknown:
            raise serializers.ValidationError(unknown)
        return attrs


class AvatarInput(serializers.Serializer):
    avatar = serializers.FileField(help_text="PNG, JPEG, GIF or WebP, at most AVATAR_MAX_BYTES.")
