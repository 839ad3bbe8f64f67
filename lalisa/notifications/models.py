from django.db import models
from django.utils import timezone


class MessageText(models.Model):
    """An editable text the service sends; `lalisa.notifications.texts` holds the defaults."""

    key = models.SlugField("kunci", max_length=64, unique=True)
    text = models.TextField("teks")
    description = models.CharField("dipakai untuk", max_length=200, blank=True)

    class Meta:
        verbose_name = "teks pesan"
        verbose_name_plural = "teks pesan"
        ordering = ["key"]

    def __str__(self):
        return self.key


class Notification(models.Model):
    """Something the service must tell a citizen or a staff member, written in the same
    transaction as the change it reports. Its delivery runs as a background task."""

    class State(models.TextChoices):
        PENDING = "pending", "Menunggu"
        SENT = "sent", "Terkirim"
        FAILED = "failed", "Gagal"

    complaint = models.ForeignKey(
        "complaints.Complaint",
        related_name="notifications",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    event = models.ForeignKey(
        "complaints.Event", related_name="+", on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.SlugField("jenis", max_length=64)
    to_reporter = models.ForeignKey(
        "complaints.Reporter", related_name="+", on_delete=models.CASCADE, null=True, blank=True
    )
    to_user = models.ForeignKey(
        "accounts.User", related_name="+", on_delete=models.CASCADE, null=True, blank=True
    )
    text = models.TextField("isi")
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "pemberitahuan"
        verbose_name_plural = "pemberitahuan"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_reporter__isnull=False) | models.Q(to_user__isnull=False),
                name="notification_has_recipient",
            )
        ]
