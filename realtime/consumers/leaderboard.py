"""/ws/leaderboard: spectators, no account needed (protocol: docs/realtime.md).

A snapshot on connect, then `leaderboard.update` whenever the rows change, coalesced and
read once per board for all of this process's spectators (realtime.boards). Takes the same
parameters as GET /leaderboard; a project scope follows the project's privacy (4404).
"""

from channels.db import database_sync_to_async

from focushub.leaderboards.selectors import parse_board_query
from focushub.projects.selectors import project_visible
from realtime.consumers.base import Door
from realtime.registry import BoardKey


class SpectatorConsumer(Door):
    board: BoardKey | None = None

    async def open(self, params: dict[str, str]) -> None:
        query = parse_board_query(
            metric=params.get("metric"), period=params.get("period"), project=params.get("project"),
            limit=params.get("limit"), offset=params.get("offset"),
        )
        if query["project_id"] is not None:
            await database_sync_to_async(project_visible)(user_id=self.user_id, project_id=query["project_id"])
        self.board = BoardKey(query["metric"], query["period"], query["project_id"], query["limit"], query["offset"])
        self.relay.attach_spectator(self, self.board, self.user_id)
        state = await self.relay.boards.snapshot(self.board)
        await self.send(text_data=state.snapshot_frame())
        await self.release(state.seq)

    def leave(self) -> None:
        if self.board is not None:
            self.relay.detach_spectator(self, self.board)
