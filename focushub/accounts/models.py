import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower

from focushub.accounts.rules import username_validator


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)

    def create_user(self, email, username, password=None, **extra):
        user = self.model(email=self.normalize_email(email), username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, username, password=None, **extra):
        extra["role"] = User.Role.ADMIN
        return self.create_user(email, username, password, **extra)


class User(AbstractBaseUser):
    """A person who tracks time. Email and username are unique case-insensitively,
    which the database enforces with functional unique indexes."""

    class Role(models.TextChoices):
        USER = "user"
        ADMIN = "admin"

    email = models.EmailField(max_length=254)
    username = models.CharField(max_length=30, unique=True, validators=[username_validator])
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.USER)
    timezone = models.CharField(max_length=64, default="UTC")
    avatar_url = models.URLField(max_length=500, blank=True, default="")
    bio = models.CharField(max_length=500, blank=True, default="")
    show_on_leaderboard = models.BooleanField(default=True)
    # Taken off the boards by an admin (fair play); the person is not told. See
    # docs/leaderboards.md, "Hiding a cheater".
    leaderboard_hidden = models.BooleanField(default=False)
    leaderboard_hidden_reason = models.CharField(max_length=500, blank=True, default="")
    leaderboard_hidden_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.CheckConstraint(condition=models.Q(role__in=["user", "admin"]), name="user_role_valid"),
            # Hidden from the boards only with a reason other admins can read.
            models.CheckConstraint(
                condition=models.Q(leaderboard_hidden=False) | ~models.Q(leaderboard_hidden_reason=""),
                name="user_hidden_with_a_reason",
            ),
        ]

    def __str__(self):
        return self.username

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    # Django admin asks these; admins are the only staff.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm, obj=None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label) -> bool:
        return self.is_staff


class RefreshToken(models.Model):
    """One issued refresh token. Rotation marks it used and issues a child in the same
    family; presenting a used token again revokes the whole family (reuse detection)."""

    jti = models.UUIDField(unique=True, default=uuid.uuid4)
    family = models.UUIDField(db_index=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"refresh {self.jti} ({self.user_id})"
