from django.db import models
from django.utils import timezone


class Conversation(models.Model):
    """Where one citizen is in the bot's questions, and the complaint they are writing.

    The draft lives here, not in the complaints table: a complaint exists only once the
    citizen taps Kirim, whole (DESIGN.md: no half-made complaints)."""

    reporter = models.OneToOneField(
        "complaints.Reporter",
        related_name="conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    # A staff member's conversation (the Kabid's and the TRC's WhatsApp commands).
    staff = models.OneToOneField(
        "accounts.User",
        related_name="conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    # The question the citizen is answering ("" when none).
    step = models.CharField("langkah", max_length=24, blank=True)
    draft = models.JSONField("draf aduan", default=dict, blank=True)
    # The complaint a follow-up question is about (a rating's comment).
    complaint = models.ForeignKey(
        "complaints.Complaint", related_name="+", on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField("terakhir aktif", default=timezone.now, db_index=True)
    # An idle draft is put aside (and the citizen told how to resume).
    set_aside_at = models.DateTimeField("disimpan sebagai draf", null=True, blank=True)

    class Meta:
        verbose_name = "percakapan bot"
        verbose_name_plural = "percakapan bot"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reporter__isnull=True) ^ models.Q(staff__isnull=True),
                name="conversation_of_one_person",
            )
        ]

    def __str__(self):
        return f"{self.reporter or self.staff} ({self.step or 'menu'})"
