from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """One periodic job in one time slot: the unique key makes it run once, however many
    workers' schedulers see it due."""

    job = models.CharField(max_length=64)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_slot")]
