"""/ws/projects/{id}: presence and the project's timeline, live (protocol: docs/realtime.md).

Members of a project, or anyone for a public one (non-members see public events only);
a private project you are not a member of does not exist (4404), as over REST.
"""

from functools import partial
from typing import Any

from channels.db import database_sync_to_async

from focushub.projects.models import Project
from focushub.projects.selectors import project_visible
from focushub.timeline.selectors import events_for_project_between
from realtime.consumers.base import Door, parse_since
from realtime.messages import encode, timeline_message

REPLAY_PAGE = 500


def project_for_watcher(project: Project) -> dict[str, Any]:
    """The project as its hello shows it: the brief every event carries, plus whether it is
    archived and the watcher's role (null for a non-member)."""
    return {
        "id": project.pk, "name": project.name, "visibility": project.visibility,
        "color": project.color, "archived": project.archived, "role": project.role,
    }


def project_frames(project_id: int, is_member: bool, after_id: int, upto_id: int) -> list[tuple[int, str]]:
    events = events_for_project_between(
        project_id=project_id, is_member=is_member, after_id=after_id, upto_id=upto_id, limit=REPLAY_PAGE
    )
    return [(event.pk, encode(timeline_message(event))) for event in events]


class ProjectConsumer(Door):

    async def open(self, params: dict[str, str]) -> None:
        since = parse_since(params.get("since"))
        project = await database_sync_to_async(project_visible)(
            user_id=self.user_id, project_id=self.scope["url_route"]["kwargs"]["project_id"]
        )
        member = project.role is not None
        self.project_id = project.pk
        horizon = await self.resume_point(since, self.relay.attach_watcher(self, project.pk))
        presence = await self.relay.presence.current(project.pk, member=member)
        await self.send_message({"type": "hello", "project": project_for_watcher(project), "last_event_id": horizon})
        await self.send(text_data=presence)
        await self.replay(since, horizon, partial(project_frames, project.pk, member))
        await self.release(horizon)

    def leave(self) -> None:
        if self.project_id is not None:
            self.relay.detach_watcher(self, self.project_id)
