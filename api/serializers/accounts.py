"""Wire shapes of /auth and /users/me. Input serializers check types and sizes; the rules
(username format, uniqueness, time zones, password strength) are the domain's
(focushub.accounts.rules, AUTH_PASSWORD_VALIDATORS), which reports every field's problem
at once. The fields state those rules in the document where a schema can carry them."""

from django.contrib.auth.password_validation import MinimumLengthValidator, get_default_password_validators
from rest_framework import serializers

from api.serializers.common import FlagField, IsoDateTime, StrictInput, TextField
from focushub.accounts import rules


def _password_min_length() -> int:
    lengths = [v.min_length for v in get_default_password_validators() if isinstance(v, MinimumLengthValidator)]
    return max(lengths, default=1)


class UsernameField(TextField):
    """Taken as sent (not trimmed): " alice" is not a username."""

    def __init__(self, **kwargs):
        pattern = rules.username_validator.regex.pattern.replace(r"\A", "^").replace(r"\Z", "$")
        super().__init__(trim_whitespace=False, max_length=rules.USERNAME_MAX, stated={"pattern": pattern}, **kwargs)


class PasswordField(TextField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=rules.PASSWORD_MAX, trim_whitespace=False, write_only=True,
            stated={"minLength": _password_min_length()},
            help_text="Not entirely digits, not a common password, not too similar to the username or email.",
            **kwargs,
        )


class SignupInput(serializers.Serializer):
    email = serializers.EmailField(max_length=rules.EMAIL_MAX)
    username = UsernameField()
    password = PasswordField()


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


class ProfileUpdateInput(StrictInput):
    """PATCH /users/me. Unknown fields and fields not changeable here are refused by name
    rather than ignored, so a typo or an attempt to set `role` does not pass silently."""

    NOT_HERE = {
        "id": "Ids never change.",
        "role": "Roles are changed by an administrator.",
        "avatar_url": "Upload an image to POST /users/me/avatar instead.",
        "created_at": "This field is read-only.",
        "password": "Passwords cannot be changed here.",
    }

    username = UsernameField(required=False)
    email = serializers.EmailField(required=False, max_length=rules.EMAIL_MAX)
    current_password = TextField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        max_length=rules.PASSWORD_MAX,
        help_text="Required, and checked, when `email` changes.",
    )
    bio = TextField(required=False, allow_blank=True, trim_whitespace=False, max_length=rules.BIO_MAX)
    timezone = TextField(
        required=False, max_length=rules.TIMEZONE_MAX, stated={"enum": sorted(rules.timezone_names())},
        help_text="An IANA time zone.",
    )
    show_on_leaderboard = FlagField(required=False)


class AvatarInput(serializers.Serializer):
    avatar = serializers.FileField(help_text="PNG, JPEG, GIF or WebP, at most AVATAR_MAX_BYTES.")
