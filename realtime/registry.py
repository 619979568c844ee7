"""Which sockets of THIS process want what (docs/realtime.md, "Delivery: design and why").

Process-local on purpose: the relay reads each committed event once and looks its
recipients up here (a dict lookup, then one write per socket), instead of sending one
channel-layer message per socket. Nothing here outlives the process, and nothing needs
to: a socket that reconnects elsewhere registers there and resumes from the log with
`since`.
"""

from collections import Counter, defaultdict
from typing import Any, NamedTuple


class BoardKey(NamedTuple):
    """One spectated board: what GET /leaderboard would be asked."""

    metric: str
    period: str
    project_id: int | None
    limit: int
    offset: int


class Registry:
    def __init__(self) -> None:
        self.users: defaultdict[int, set[Any]] = defaultdict(set)  # user id -> /ws/me sockets
        self.projects: defaultdict[int, set[Any]] = defaultdict(set)  # project id -> /ws/projects sockets
        self.boards: defaultdict[BoardKey, set[Any]] = defaultdict(set)  # board -> spectator sockets
        self.devices: Counter[int] = Counter()  # user id -> signed-in sockets of any kind (presence)
        self.sessions: defaultdict[int, set[Any]] = defaultdict(set)  # user id -> signed-in sockets

    @staticmethod
    def _discard(index: defaultdict, key, consumer) -> None:
        members = index.get(key)
        if members is not None:
            members.discard(consumer)
            if not members:
                del index[key]

    def add_user(self, user_id: int, consumer) -> None:
        self.users[user_id].add(consumer)

    def remove_user(self, user_id: int, consumer) -> None:
        self._discard(self.users, user_id, consumer)

    def add_watcher(self, project_id: int, consumer) -> None:
        self.projects[project_id].add(consumer)

    def remove_watcher(self, project_id: int, consumer) -> None:
        self._discard(self.projects, project_id, consumer)

    def add_spectator(self, key: BoardKey, consumer) -> None:
        self.boards[key].add(consumer)

    def remove_spectator(self, key: BoardKey, consumer) -> None:
        self._discard(self.boards, key, consumer)

    def device_on(self, user_id: int, consumer) -> None:
        self.devices[user_id] += 1
        self.sessions[user_id].add(consumer)

    def device_off(self, user_id: int, consumer) -> None:
        self._discard(self.sessions, user_id, consumer)
        self.devices[user_id] -= 1
        if self.devices[user_id] <= 0:
            del self.devices[user_id]

    def watchers(self, project_id: int) -> list[Any]:
        return list(self.projects.get(project_id, ()))

    def signed_in(self, user_id: int) -> list[Any]:
        """Every socket of any kind opened with this user's token."""
        return list(self.sessions.get(user_id, ()))

    def sockets_of(self, user_id: int) -> list[Any]:
        return list(self.users.get(user_id, ()))

    def spectators(self, key: BoardKey) -> list[Any]:
        return list(self.boards.get(key, ()))
