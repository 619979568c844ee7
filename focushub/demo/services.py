"""Demo data for a fresh install (manage.py seed_demo): people, public and private
projects with members, a few weeks of tracked time, running timers and earned badges.

Everything is written through the real services (projects, tracking, badges), so the
rollups, leaderboards and timelines are exactly what real use would produce: slower than
bulk inserts (about a minute per 100 people and 3 weeks on SQLite) but never
inconsistent. Only the accounts are inserted directly, sharing one password hash (hashing
is slow on purpose; a demo needs one known password, not 50 strong ones). The services
also queue a badge check per entry for the worker; those find nothing left to award.

Everything belongs to usernames `<prefix>` and `<prefix>_*`, which is what `reset`
removes.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from focushub.accounts.models import User
from focushub.badges.models import UserBadge
from focushub.badges.services import badges_evaluate
from focushub.leaderboards.rebuild import boards_rebuild_current
from focushub.projects.models import ProjectMember
from focushub.projects.services import member_add, project_create
from focushub.tracking.services import time_entry_create, time_entry_start

DEMO_PASSWORD = "focushub-demo"
NAMES = (
    "ada", "grace", "alan", "linus", "margaret", "ken", "barbara", "dennis", "frances", "guido",
    "hedy", "tim", "radia", "donald", "katherine", "edsger", "joan", "john", "sophie", "yukihiro",
)
ZONES = ("UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Tokyo")
PROJECTS = (
    "Website redesign", "Mobile app", "Thesis", "Data pipeline", "Open source: focus-cli", "Marketing site",
    "Learning Rust", "Home renovation", "Podcast", "Book club", "Game jam", "Tax paperwork",
)
TASKS = ("Deep work", "Code review", "Meetings", "Bug fixing", "Writing docs", "Research", "Design", "Planning")
COLORS = ("#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6")
TRACKING = (ProjectMember.Role.OWNER, ProjectMember.Role.MAINTAINER, ProjectMember.Role.CONTRIBUTOR)


@dataclass(frozen=True)
class SeedResult:
    users: int
    projects: int
    entries: int
    running: int
    badges: int  # held by the demo people at the end
    login: str


def demo_users(prefix: str):
    return User.objects.filter(Q(username__iexact=prefix) | Q(username__istartswith=f"{prefix}_"))


def demo_reset(*, prefix: str) -> int:
    """Delete the demo people (their projects, entries, events and awards go with them),
    then rebuild the boards, which the direct delete bypassed. Returns people deleted."""
    count = demo_users(prefix).count()
    demo_users(prefix).delete()
    boards_rebuild_current()
    return count


def _people(prefix: str, count: int, rng: random.Random) -> list[User]:
    hashed = make_password(DEMO_PASSWORD)
    names = [prefix] + [f"{prefix}_{NAMES[i % len(NAMES)]}{i + 1:02d}" for i in range(count - 1)]
    User.objects.bulk_create(
        User(
            username=name, email=f"{name}@example.com", password=hashed, timezone=rng.choice(ZONES),
            bio="Demo account.",
            # A few people keep out of the rankings, as real people do.
            show_on_leaderboard=name == prefix or rng.random() > 0.1,
        )
        for name in names
    )
    return list(User.objects.filter(username__in=names).order_by("pk"))


def _projects(people: list[User], count: int, rng: random.Random) -> dict[int, list[User]]:
    """Projects with their members; returns project id -> people who may track on it."""
    trackers: dict[int, list[User]] = {}
    for index in range(count):
        owner = people[0] if index == 0 else rng.choice(people)
        project = project_create(
            owner=owner, name=PROJECTS[index % len(PROJECTS)] + ("" if index < len(PROJECTS) else f" {index + 1}"),
            description="Demo project.", visibility="private" if index % 3 == 2 else "public",
            color=COLORS[index % len(COLORS)],
        )
        others = [person for person in people if person.pk != owner.pk]
        members = rng.sample(others, k=min(len(others), rng.randint(2, 9)))
        if index > 0 and people[0] not in members and people[0] != owner and rng.random() < 0.5:
            members.append(people[0])
        roles = [rng.choice(("contributor", "contributor", "contributor", "maintainer", "viewer")) for _ in members]
        for member, role in zip(members, roles, strict=True):
            member_add(actor=owner, project_id=project.pk, username=member.username, role=role)
        trackers[project.pk] = [owner] + [m for m, role in zip(members, roles, strict=True) if role != "viewer"]
    return trackers


def _workday(person: User, projects: list[int], day, now: datetime, rng: random.Random) -> int:
    """A day of 1-3 entries for one person; returns how many were written."""
    # Most start in office hours; some are early birds or night owls (badges look for both).
    hour = rng.choice((5, 6, 8, 9, 9, 10, 13, 14, 20, 22))
    cursor = datetime.combine(day, time(hour, rng.choice((0, 15, 30, 45))), tzinfo=UTC)
    written = 0
    for _ in range(rng.randint(1, 3)):
        end = cursor + timedelta(minutes=rng.randint(15, 150))
        if end > now - timedelta(minutes=1):
            break
        time_entry_create(
            user=person, project_id=rng.choice(projects), start_time=cursor, end_time=end,
            description=rng.choice(TASKS),
        )
        written += 1
        cursor = end + timedelta(minutes=rng.randint(5, 90))
    return written


# Told (steps done, steps in all, what is being done) as the seed goes, so a door can
# draw a bar. One step per person whose time is written, which is where the minutes go,
# plus one per short stage: people, projects, timers and badges, boards.
Progress = Callable[[int, int, str], None]
SHORT_STAGES = 4


def demo_seed(*, prefix: str, users: int, projects: int, days: int, seed: int, progress: Progress) -> SeedResult:
    rng = random.Random(seed)
    now = timezone.now()
    total = users + SHORT_STAGES
    people = _people(prefix, users, rng)
    progress(1, total, "people")
    trackers = _projects(people, projects, rng)
    progress(2, total, "projects and members")
    can_track = {person.pk: [pid for pid, crew in trackers.items() if person in crew] for person in people}
    entries = 0
    for done, person in enumerate(people, start=1):
        if can_track[person.pk]:
            keen = 0.9 if person == people[0] else rng.uniform(0.3, 0.9)  # share of days worked; the login is keen
            for back in range(days, -1, -1):
                if rng.random() < keen:
                    entries += _workday(person, can_track[person.pk], (now - timedelta(days=back)).date(), now, rng)
        progress(2 + done, total, f"time entries, {done}/{len(people)} people")
    # A few timers left running, so a spectator's board ticks.
    runners = [person for person in people if can_track[person.pk]][: max(1, len(people) // 10)]
    for person in runners:
        time_entry_start(user=person, project_id=rng.choice(can_track[person.pk]), description="Live demo")
    for person in people:
        badges_evaluate(user_id=person.pk)
    # Counted, not summed from the calls above: a running worker may have awarded some of
    # them first (each entry queues a check), and the summary says what people hold.
    badges = UserBadge.objects.filter(user__in=people).count()
    progress(total - 1, total, "running timers and badges")
    boards_rebuild_current()
    progress(total, total, "leaderboards")
    return SeedResult(len(people), len(trackers), entries, len(runners), badges, people[0].username)
