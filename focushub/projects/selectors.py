"""Who may see and do what on a project. Every door asks these, so the privacy rule
(a private project does not exist for non-members: 404, never 403) lives here once."""

from django.db.models import OuterRef, QuerySet, Subquery

from focushub.errors import NotFound, PermissionDenied
from focushub.projects.models import Project, ProjectMember

TRACKING_ROLES = (ProjectMember.Role.OWNER, ProjectMember.Role.MAINTAINER, ProjectMember.Role.CONTRIBUTOR)
MANAGING_ROLES = (ProjectMember.Role.OWNER, ProjectMember.Role.MAINTAINER)


def with_role(queryset: QuerySet[Project], user_id: int | None) -> QuerySet[Project]:
    """Annotate `role`: the caller's role on each project, or None."""
    role = ProjectMember.objects.filter(project=OuterRef("pk"), user_id=user_id).values("role")[:1]
    return queryset.annotate(role=Subquery(role))


def project_visible(*, user_id: int | None, project_id) -> Project:
    """The project with the caller's `role`, or NotFound if it is private and not theirs."""
    try:
        project_id = int(project_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    project = with_role(Project.objects.select_related("owner"), user_id).filter(pk=project_id).first()
    if project is None or (not project.is_public and project.role is None):
        raise NotFound()
    return project


def project_for_tracking(*, user_id: int, project_id) -> Project:
    """Owners, maintainers and contributors track time; viewers and outsiders of a public
    project get 403; outsiders of a private one 404."""
    project = project_visible(user_id=user_id, project_id=project_id)
    if project.role not in TRACKING_ROLES:
        raise PermissionDenied("Only the project's owner, maintainers and contributors can track time on it.")
    if project.archived:
        raise PermissionDenied("This project is archived.", code="project_archived")
    return project


def member_project_ids(user_id: int) -> QuerySet:
    return ProjectMember.objects.filter(user_id=user_id).values("project_id")


def member_user_ids(project_id: int) -> list[int]:
    return list(ProjectMember.objects.filter(project_id=project_id).values_list("user_id", flat=True))
