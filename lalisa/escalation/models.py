from django.db import models
from django.db.models import Q
from django.utils import timezone


class Escalation(models.Model):
    """A warning sent about a late complaint (lalisa.escalation.rules). The unique keys make
    each warning go once, however often the job runs and however many workers run it: the
    row and its notifications are written in one transaction, so a second writer fails on
    the key and sends nothing."""

    complaint = models.ForeignKey(
        "complaints.Complaint", related_name="escalations", on_delete=models.CASCADE
    )
    # The notification kind sent, e.g. "escalation_verify_late"; names the stage.
    kind = models.CharField("jenis", max_length=40)
    # Set for warnings about one dispatch: a new team gets its own reminder.
    dispatch = models.ForeignKey(
        "complaints.Dispatch",
        related_name="escalations",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    recipients = models.PositiveSmallIntegerField("penerima", default=0)
    created_at = models.DateTimeField("dikirim", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "eskalasi"
        verbose_name_plural = "eskalasi"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two keys, because NULLs never collide in a unique index.
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=Q(dispatch__isnull=True),
                name="one_escalation_per_stage",
            ),
            models.UniqueConstraint(
                fields=["dispatch", "kind"],
                condition=Q(dispatch__isnull=False),
                name="one_escalation_per_dispatch",
            ),
        ]

    def __str__(self):
        return f"{self.complaint} {self.kind}"
