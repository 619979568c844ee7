"""Wire shapes of projects and members (docs/api.md). Input serializers check types and
lengths for early, documented 400s (DRF's CharField already refuses NUL and lone
surrogates); the services re-apply the domain rules."""

from rest_framework import serializers

from api.serializers.accounts import UsernameField
from api.serializers.common import FlagField, IdField, IsoDateTime, QueryInput, TextField, UserBriefOutput
from focushub.projects.models import Project, ProjectMember
from focushub.projects.presenters import project_brief
from focushub.projects.validation import ASSIGNABLE_ROLES, COLOR


class ProjectCreateInput(serializers.Serializer):
    name = TextField(max_length=100)
    description = TextField(max_length=2000, allow_blank=True, required=False, default="")
    visibility = serializers.ChoiceField(Project.Visibility.choices, default=Project.Visibility.PRIVATE)
    color = serializers.RegexField(COLOR, required=False, default="#4f46e5", help_text="#rrggbb")


class ProjectUpdateInput(serializers.Serializer):
    name = TextField(max_length=100, required=False)
    description = TextField(max_length=2000, allow_blank=True, required=False)
    visibility = serializers.ChoiceField(Project.Visibility.choices, required=False)
    color = serializers.RegexField(COLOR, required=False, help_text="#rrggbb")
    archived = FlagField(required=False)
    owner = IdField(
        required=False,
        help_text="Transfer the project (owner only) to this user id, who must already be a member. "
        "The previous owner stays on as a maintainer.",
    )


class ProjectListQuery(QueryInput):
    depends_on_text_alone = True
    visibility = serializers.ChoiceField(
        Project.Visibility.choices,
        required=False,
        help_text="`public`: browse every public project; `private`: my private projects. "
        "Absent: every project I belong to.",
    )
    archived = FlagField(required=False)


class ProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    visibility = serializers.ChoiceField(Project.Visibility.choices)
    color = serializers.CharField()
    archived = serializers.BooleanField()
    owner = UserBriefOutput()
    role = serializers.ChoiceField(ProjectMember.Role.choices, allow_null=True, help_text="The caller's role.")
    created_at = IsoDateTime()


class ProjectBriefOutput(serializers.Serializer):
    """The project as entries, events and the overview embed it (project_brief)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    color = serializers.CharField()
    visibility = serializers.ChoiceField(Project.Visibility.choices)

    def to_representation(self, instance):
        return project_brief(instance)


class MemberAddInput(serializers.Serializer):
    username = UsernameField()
    role = serializers.ChoiceField(ASSIGNABLE_ROLES, default=ProjectMember.Role.CONTRIBUTOR)


class MemberUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(ASSIGNABLE_ROLES)


class MemberOutput(serializers.Serializer):
    user = UserBriefOutput()
    role = serializers.ChoiceField(ProjectMember.Role.choices)
    joined_at = IsoDateTime()
