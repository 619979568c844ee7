"""Changes to projects and their memberships. Each service authorises the actor itself,
so every door gets the same rules, and writes its timeline event last, in the same
transaction.

Lock order for all of them: focushub/projects/locks.py."""

from collections import defaultdict

from django.db import IntegrityError, transaction

from focushub.accounts.models import User
from focushub.accounts.selectors import user_by_username
from focushub.announce import after_commit
from focushub.badges.triggers import badges_check_after_commit
from focushub.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from focushub.ids import parse_id
from focushub.presenters import user_brief
from focushub.projects.locks import project_lock_for_delete, project_lock_for_update, projects_lock_shared, users_lock
from focushub.projects.models import Project, ProjectMember
from focushub.projects.presenters import member_data, project_brief
from focushub.projects.selectors import MANAGING_ROLES, TRACKING_ROLES, project_visible
from focushub.projects.validation import UNSET, clean_project_fields, clean_role, storable_text
from focushub.timeline.models import Event
from focushub.timeline.services import event_record
from focushub.tracking.accounting import entries_changed
from focushub.tracking.models import DailyRollup, TimeEntry
from focushub.tracking.presenters import entry_data
from focushub.tracking.services import time_entry_stop_on_lost_access
from focushub.transactions import service


@service
def project_create(
    *, owner: User, name: str, description: str = "", visibility: str = Project.Visibility.PRIVATE,
    color: str = "#4f46e5",
) -> Project:
    """A new project; its creator becomes its owner and first member."""
    fields = clean_project_fields({"name": name, "description": description, "visibility": visibility, "color": color})
    project = Project.objects.create(owner=owner, **fields)
    ProjectMember.objects.create(project=project, user=owner, role=ProjectMember.Role.OWNER)
    project.role = ProjectMember.Role.OWNER
    payload = {"project": project_brief(project)}
    event_record(actor_id=owner.pk, kind="project.created", project=project, payload=payload)
    badges_check_after_commit(owner.pk)
    return project


def _transfer_ownership(project: Project, new_owner_id) -> None:
    """The named member becomes the owner, the old owner a maintainer. The old owner is
    demoted first: the database allows one owner per project at any moment."""
    target_id = parse_id(new_owner_id)
    target = None
    if target_id is not None:
        target = ProjectMember.objects.select_for_update(of=("self",)).select_related("user").filter(
            project=project, user_id=target_id
        ).first()
    if target is None:
        raise ValidationFailed({"owner": ["The new owner must already be a member of the project."]})
    ProjectMember.objects.filter(project=project, role=ProjectMember.Role.OWNER).update(
        role=ProjectMember.Role.MAINTAINER
    )
    target.role = ProjectMember.Role.OWNER
    target.save(update_fields=["role"])
    project.owner = target.user


@service
def project_update(
    *, actor: User, project_id, name=UNSET, description=UNSET, visibility=UNSET, color=UNSET,
    archived=UNSET, owner_id=UNSET,
) -> Project:
    """Owner and maintainers edit; only the owner hands the project to another member."""
    visible = project_visible(user_id=actor.pk, project_id=project_id)
    if visible.role not in MANAGING_ROLES:
        raise PermissionDenied("Only the owner and maintainers can edit this project.")
    fields = clean_project_fields(
        {"name": name, "description": description, "visibility": visibility, "color": color, "archived": archived}
    )
    transfer = owner_id is not UNSET and parse_id(owner_id) != visible.owner_id
    users_lock({actor.pk, parse_id(owner_id) if transfer else None})
    # Row lock (NO KEY UPDATE: trackers holding KEY SHARE go on), then the role read again
    # under it, so two edits or an edit and a transfer cannot interleave.
    project = project_lock_for_update(visible.pk)
    if project is None:
        raise NotFound()
    role = ProjectMember.objects.filter(project=project, user=actor).values_list("role", flat=True).first()
    if role not in MANAGING_ROLES:
        raise PermissionDenied("Only the owner and maintainers can edit this project.")
    changed = sorted(field for field, value in fields.items() if getattr(project, field) != value)
    for field in changed:
        setattr(project, field, fields[field])
    if transfer and parse_id(owner_id) != project.owner_id:
        if role != ProjectMember.Role.OWNER:
            raise PermissionDenied("Only the owner can transfer the project.")
        _transfer_ownership(project, owner_id)
        changed.append("owner")
        role = ProjectMember.Role.MAINTAINER
    project.role = role
    if not changed:
        return project
    project.save(update_fields=changed)
    if "visibility" in changed and not project.is_public:
        # Going private hides what was public about it too: past events narrow to members,
        # so profiles and public timelines stop showing them.
        Event.objects.filter(project=project, audience=Event.Audience.PUBLIC).update(audience=Event.Audience.PROJECT)
    payload = {"project": project_brief(project), "changes": changed}
    if "owner" in changed:
        payload["owner"] = user_brief(project.owner)
    event_record(actor_id=actor.pk, kind="project.updated", project=project, payload=payload)
    return project


class _TrackersChanged(Exception):
    """Someone began tracking on the project between listing its users and locking it."""


def _users_with_time_on(project_id: int) -> set[int]:
    return set(TimeEntry.objects.filter(project_id=project_id).values_list("user_id", flat=True).distinct()) | set(
        DailyRollup.objects.filter(project_id=project_id).values_list("user_id", flat=True).distinct()
    )


def project_delete(*, actor: User, project_id) -> None:
    """Delete a project with its entries, rollups and memberships, and take its seconds
    back off every leaderboard. Its past events stay (project set to null); the deletion
    event carries the id and name, public for a public project, private to the owner
    otherwise (the members it would concern can no longer be looked up)."""
    for _ in range(3):
        try:
            return _project_delete(actor=actor, project_id=project_id)
        except _TrackersChanged:
            continue  # rare: a start landed in the gap; the next attempt locks its user too
    raise Conflict("project_busy", "People keep starting timers on this project; try again.")


@service
def _project_delete(*, actor: User, project_id) -> None:
    visible = project_visible(user_id=actor.pk, project_id=project_id)
    if visible.role != ProjectMember.Role.OWNER:
        raise PermissionDenied("Only the owner can delete this project.")
    # Lock order: user rows first (everyone with time on the project, ascending id), then
    # the project itself FOR UPDATE, which waits for trackers holding it and keeps new
    # ones out. The actor is locked too: the deletion event's foreign key to them is
    # checked at COMMIT with a KEY SHARE lock, which would otherwise wait for their own
    # timer start, itself waiting for this project. Every user this transaction writes
    # about must be in that first set: a user who started tracking after the listing and
    # before the project lock is unlocked, and their badge check or next stop would
    # deadlock with our commit, so the transaction starts over with them included.
    users = users_lock(_users_with_time_on(visible.pk) | {actor.pk})
    project = project_lock_for_delete(visible.pk)
    if project is None:
        raise NotFound()
    if project.owner_id != actor.pk:
        raise PermissionDenied("Only the owner can delete this project.")
    if _users_with_time_on(project.pk) - set(users):
        raise _TrackersChanged()
    brief = project_brief(project)
    audience = Event.Audience.PUBLIC if project.is_public else Event.Audience.PRIVATE
    entries: dict[int, list[TimeEntry]] = defaultdict(list)
    for entry in TimeEntry.objects.filter(project=project).select_related("project"):
        entries[entry.user_id].append(entry)
    # Timers running on the project vanish with it; each runner's devices are told.
    running = [(e.user_id, entry_data(e)) for gone in entries.values() for e in gone if e.end_time is None]
    # The entries go first, then each person's totals are kept by the same step every
    # entry change takes (focushub/tracking/accounting.py): their rollups, their credit on
    # the days they had here (other projects' entries may have overlapped these) and
    # every board move by what the credit moved.
    TimeEntry.objects.filter(project=project).delete()
    for user_id, gone in entries.items():
        entries_changed(users[user_id], [(entry, None) for entry in gone])
    project.delete()
    for runner_id, entry in running:
        event_record(actor_id=runner_id, kind="timer.stopped", project=None, audience=Event.Audience.PRIVATE,
                     payload={"entry": entry, "reason": "project_deleted", "deleted": True})
    event_record(actor_id=actor.pk, kind="project.deleted", project=None, audience=audience, payload={"project": brief})


def _managed_project(actor: User, project_id) -> Project:
    project = project_visible(user_id=actor.pk, project_id=project_id)
    if project.role not in MANAGING_ROLES:
        raise PermissionDenied("Only the owner and maintainers can manage members.")
    return project


@service
def member_add(*, actor: User, project_id, username: str, role: str = ProjectMember.Role.CONTRIBUTOR) -> ProjectMember:
    """Owner and maintainers add people by username (never as owner)."""
    project = _managed_project(actor, project_id)
    role = clean_role(role)
    valid = isinstance(username, str) and len(username) <= 150 and storable_text(username)
    user = user_by_username(username) if valid else None
    if user is None:
        raise ValidationFailed({"username": ["No user with this username."]})
    users_lock({actor.pk, user.pk})
    if not projects_lock_shared([project.pk]):
        raise NotFound()
    try:
        # The unique (project, user) constraint settles two concurrent adds.
        with transaction.atomic():
            member = ProjectMember.objects.create(project=project, user=user, role=role)
    except IntegrityError as exc:
        raise Conflict("already_member", f"{user.username} is already a member of this project.") from exc
    event_record(actor_id=actor.pk, kind="member.added", project=project,
                 payload={"project": project_brief(project), "member": member_data(member)})
    return member


def _locked_member(project: Project, actor: User, user_id) -> ProjectMember:
    """The member row, locked after the actor's and the member's user rows and the project
    (lock order): a role change and the member's own timer start cannot interleave, and
    two managers removing each other cannot deadlock."""
    user_id = parse_id(user_id)
    if user_id is None or user_id not in users_lock({actor.pk, user_id}):
        raise NotFound("No such member.")
    if not projects_lock_shared([project.pk]):
        raise NotFound()
    member = ProjectMember.objects.select_for_update(of=("self",)).select_related("user").filter(
        project=project, user_id=user_id
    ).first()
    if member is None:
        raise NotFound("No such member.")
    return member


@service
def member_update(*, actor: User, project_id, user_id, role: str) -> ProjectMember:
    """Change a member's role. Nobody changes the owner's role this way (ownership moves
    with PATCH /projects/{id} {owner}). A member who may no longer track has their timer
    on this project stopped."""
    project = _managed_project(actor, project_id)
    role = clean_role(role)
    member = _locked_member(project, actor, user_id)
    if member.role == ProjectMember.Role.OWNER:
        raise PermissionDenied(
            "The owner's role cannot be changed; transfer ownership instead.", code="owner_protected"
        )
    if member.role == role:
        return member
    previous = member.role
    member.role = role
    member.save(update_fields=["role"])
    if role not in TRACKING_ROLES:
        time_entry_stop_on_lost_access(user_id=member.user_id, project_id=project.pk)
    event_record(actor_id=actor.pk, kind="member.role_changed", project=project,
                 payload={"project": project_brief(project), "member": member_data(member), "previous_role": previous})
    return member


@service
def member_remove(*, actor: User, project_id, user_id) -> None:
    """Managers remove members; anyone but the owner may leave. The member's running
    timer on the project stops."""
    project = project_visible(user_id=actor.pk, project_id=project_id)
    leaving = parse_id(user_id) == actor.pk
    if not leaving and project.role not in MANAGING_ROLES:
        raise PermissionDenied("Only the owner and maintainers can remove members.")
    member = _locked_member(project, actor, user_id)
    if member.role == ProjectMember.Role.OWNER:
        if leaving:
            raise Conflict("owner_cannot_leave", "The owner cannot leave; transfer ownership or delete the project.")
        raise PermissionDenied("The owner cannot be removed.", code="owner_protected")
    data = member_data(member)
    member.delete()
    time_entry_stop_on_lost_access(user_id=member.user_id, project_id=project.pk)
    after_commit({"type": "access", "user": member.user_id, "families": None, "project": project.pk})
    event_record(actor_id=actor.pk, kind="member.removed", project=project,
                 payload={"project": project_brief(project), "member": data, "left": leaving})
