"""Competition ranking (1, 2, 2, 4), shared by both stores: a row's rank is one more than
the number of people who score strictly higher."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    rank: int
    user_id: int
    score: int


def rank_page(window: Sequence[tuple], offset: int, rank_of_score: Callable[[int], int]) -> list[Row]:
    """Rank the rows of a page at `offset` of a board ordered by score (desc), then user.

    When offset > 0, `window` starts with the row just before the page: if it scores more
    than the page's first row, that row's rank is its position and `rank_of_score` (a
    count, the only step that is not O(page)) is not needed.
    """
    previous = None
    if offset > 0:
        if not window:
            return []
        previous, window = window[0], window[1:]
    rows: list[Row] = []
    for index, (user_id, raw_score) in enumerate(window):
        score = int(raw_score)
        if rows and rows[-1].score == score:
            rank = rows[-1].rank
        elif rows or previous is None or int(previous[1]) != score:
            rank = offset + index + 1
        else:
            rank = rank_of_score(score)
        rows.append(Row(rank, int(user_id), score))
    return rows
