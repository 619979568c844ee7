"""Project and membership shapes shared by REST, websocket payloads and timeline events."""

from focushub.presenters import iso, user_brief
from focushub.projects.models import Project, ProjectMember


def project_brief(project: Project) -> dict:
    return {"id": project.pk, "name": project.name, "color": project.color, "visibility": project.visibility}


def member_data(member: ProjectMember) -> dict:
    return {"user": user_brief(member.user), "role": member.role, "joined_at": iso(member.joined_at)}
