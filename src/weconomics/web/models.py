"""The task workers' heartbeats: how a task whose worker died is found and run again."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life, written every few seconds while it runs."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.seen_at:%Y-%m-%d %H:%M:%S})"
