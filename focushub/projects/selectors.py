"""Who may see and do what on a project. Every door asks these, so the privacy rule
(a private project does not exist for non-members: 404, never 403) lives here once."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Lower

from focushub.errors import NotFound, PermissionDenied
from focushub.ids import parse_id
from focushub.projects.models import Project, ProjectMember

TRACKING_ROLES = (ProjectMember.Role.OWNER, ProjectMember.Role.MAINTAINER, ProjectMember.Role.CONTRIBUTOR)
MANAGING_ROLES = (ProjectMember.Role.OWNER, ProjectMember.Role.MAINTAINER)


def with_role(queryset: QuerySet[Project], user_id: int | None) -> QuerySet[Project]:
    """Annotate `role`: the caller's role on each project, or None."""
    role = ProjectMember.objects.filter(project=OuterRef("pk"), user_id=user_id).values("role")[:1]
    return queryset.annotate(role=Subquery(role))


def project_visible(*, user_id: int | None, project_id) -> Project:
    """The project with the caller's `role`, or NotFound if it is private and not theirs."""
    project_id = parse_id(project_id)
    if project_id is None:
        raise NotFound()
    project = with_role(Project.objects.select_related("owner"), user_id).filter(pk=project_id).first()
    if project is None or (not project.is_public and project.role is None):
        raise NotFound()
    return project


def project_with_role(*, user_id: int, project_id: int) -> Project | None:
    """A project the caller already has data on (e.g. their entry), whatever its visibility."""
    return with_role(Project.objects.all(), user_id).filter(pk=project_id).first()


def ensure_can_track(project: Project) -> None:
    """Owners, maintainers and contributors track time; viewers and outsiders get 403."""
    if project.role not in TRACKING_ROLES:
        raise PermissionDenied("Only the project's owner, maintainers and contributors can track time on it.")
    if project.archived:
        raise PermissionDenied("This project is archived.", code="project_archived")


def project_for_tracking(*, user_id: int, project_id) -> Project:
    """A project the caller may track on: outsiders of a private project get 404, viewers
    and outsiders of a public one 403."""
    project = project_visible(user_id=user_id, project_id=project_id)
    ensure_can_track(project)
    return project


def projects_of_user(*, user_id: int, visibility: str | None = None, archived: bool | None = None) -> QuerySet[Project]:
    """The caller's projects (any role), or with visibility=public every public project.
    Ordered by name for a stable, human listing."""
    if visibility == Project.Visibility.PUBLIC:
        projects = Project.objects.filter(visibility=Project.Visibility.PUBLIC)
    else:
        projects = Project.objects.filter(pk__in=member_project_ids(user_id))
        if visibility == Project.Visibility.PRIVATE:
            projects = projects.filter(visibility=Project.Visibility.PRIVATE)
    if archived is not None:
        projects = projects.filter(archived=archived)
    return with_role(projects.select_related("owner"), user_id).order_by(Lower("name"), "pk")


_ROLE_ORDER = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(ProjectMember.Role.values)),
    output_field=IntegerField(),
)


def project_members(*, project_id: int) -> QuerySet[ProjectMember]:
    """Members with their users, owner first, then by role and join time."""
    return (
        ProjectMember.objects.filter(project_id=project_id)
        .select_related("user")
        .order_by(_ROLE_ORDER, "joined_at", "pk")
    )


def member_project_ids(user_id: int) -> QuerySet:
    return ProjectMember.objects.filter(user_id=user_id).values("project_id")


def member_ids_by_project(project_ids: Collection[int]) -> dict[int, set[int]]:
    """project id -> its members' user ids, for a batch of projects in one query (the live
    fan-out applies the visibility rules in memory with these)."""
    members: dict[int, set[int]] = defaultdict(set)
    rows = ProjectMember.objects.filter(project_id__in=project_ids).values_list("project_id", "user_id")
    for project_id, user_id in rows:
        members[project_id].add(user_id)
    return dict(members)


@dataclass(frozen=True)
class ProjectState:
    """Who may watch a project now, from rows: a socket watching it re-checks with this
    after every change to it (deleted, turned private, a member left)."""

    exists: bool
    is_public: bool
    members: frozenset[int]  # user ids


def project_state(project_id: int) -> ProjectState:
    project = Project.objects.filter(pk=project_id).values("visibility").first()
    if project is None:
        return ProjectState(False, False, frozenset())
    members = frozenset(ProjectMember.objects.filter(project_id=project_id).values_list("user_id", flat=True))
    return ProjectState(True, project["visibility"] == Project.Visibility.PUBLIC, members)
