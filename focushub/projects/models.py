from django.conf import settings
from django.db import models


class Project(models.Model):
    """Something people track time on. Private projects exist only for their members."""

    class Visibility(models.TextChoices):
        PUBLIC = "public"
        PRIVATE = "private"

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=2000, blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_projects")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    color = models.CharField(max_length=7, default="#4f46e5")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=["public", "private"]), name="project_visibility_valid"
            ),
        ]
        indexes = [models.Index(fields=["visibility", "-created_at"])]

    def __str__(self):
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class ProjectMember(models.Model):
    """Membership with a role. The owner is stored as a member with role `owner`, so
    "members of a project" is one query everywhere; one owner per project is enforced."""

    class Role(models.TextChoices):
        OWNER = "owner"
        MAINTAINER = "maintainer"
        CONTRIBUTOR = "contributor"
        VIEWER = "viewer"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CONTRIBUTOR)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="member_unique"),
            models.UniqueConstraint(fields=["project"], condition=models.Q(role="owner"), name="member_one_owner"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "maintainer", "contributor", "viewer"]),
                name="member_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user_id}@{self.project_id}:{self.role}"
