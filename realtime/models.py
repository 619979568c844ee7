from django.db import models


class DevicePresence(models.Model):
    """How many signed-in sockets one server process holds for one user, as that process
    last reported it (embedded mode; with Redis the reports are Redis hashes instead).

    Operational bookkeeping, not domain data: rows expire, so the sockets of a process
    that crashed stop counting within the TTL (realtime.presence)."""

    process = models.CharField(max_length=32)
    user_id = models.BigIntegerField()
    devices = models.PositiveIntegerField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["process", "user_id"], name="presence_process_user")]
        indexes = [models.Index(fields=["user_id", "expires_at"]), models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"{self.user_id}@{self.process}: {self.devices}"
