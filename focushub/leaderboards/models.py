from django.conf import settings
from django.db import models


class BoardScore(models.Model):
    """One user's score on one board (e.g. `time:week:2026-W48:all`). The embedded
    leaderboard backend reads pages from the (board, score) index: O(log N + page)."""

    board = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "user"], name="board_score_unique")]
        indexes = [models.Index(fields=["board", "-score", "user"], name="board_rank_idx")]

    def __str__(self):
        return f"{self.board}/{self.user_id}={self.score}"
