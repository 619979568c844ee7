"""Who sees an event is one rule in two forms: SQL for timelines and replay
(events_for_user_feed, events_for_project) and in memory for the live fan-out
(feed_readers, project_stream_shows, used by realtime.relay). For every combination of
actor, audience, project visibility and membership here, both forms agree."""

import itertools

import pytest

from focushub.accounts.models import User
from focushub.projects.models import Project, ProjectMember
from focushub.timeline.models import Event
from focushub.timeline.selectors import (
    events_for_project,
    events_for_user_feed,
    feed_readers,
    project_stream_shows,
)


@pytest.mark.django_db
def test_the_sql_and_the_in_memory_rules_agree_on_every_case():
    people = [User.objects.create_user(email=f"v{i}@example.com", username=f"vis{i}", password=None)
              for i in range(4)]
    projects = {}
    for visibility, members in (("public", people[:2]), ("private", people[1:3])):
        project = Project.objects.create(name=visibility, owner=members[0], visibility=visibility)
        for person in members:
            ProjectMember.objects.create(project=project, user=person, role="owner" if person == members[0] else
                                         "contributor")
        projects[project.pk] = {person.pk for person in members}
    events = []
    for actor, project_id, audience in itertools.product(people, [None, *projects], Event.Audience.values):
        if project_id is None and audience != Event.Audience.PRIVATE:
            continue
        events.append(Event.objects.create(actor=actor, kind="entry.created", project_id=project_id,
                                           audience=audience, payload={}))
    for person in people:
        in_sql = set(events_for_user_feed(person.pk).values_list("id", flat=True))
        in_memory = {e.pk for e in events if person.pk in feed_readers(e, projects.get(e.project_id, set()))}
        assert in_sql == in_memory, person.username
    for project_id in projects:
        for is_member in (True, False):
            in_sql = set(events_for_project(project_id, is_member=is_member).values_list("id", flat=True))
            in_memory = {e.pk for e in events if e.project_id == project_id
                         and project_stream_shows(e, is_member=is_member)}
            assert in_sql == in_memory, (project_id, is_member)
