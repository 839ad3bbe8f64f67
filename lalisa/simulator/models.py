"""State of the local Graph API emulator: what the service sent, media, templates, and
failures a test asked for. Only used when LALISA_SIMULATOR is on."""

from django.db import models
from django.utils import timezone


class EmulatedMessage(models.Model):
    """A message as the emulator saw it: sent by the service (out) or by the simulator (in)."""

    class Direction(models.TextChoices):
        OUT = "out", "Dari layanan"
        IN = "in", "Dari warga"

    direction = models.CharField(max_length=3, choices=Direction.choices)
    wamid = models.CharField(max_length=200, unique=True)
    # The chat it belongs to: a phone (digits) or a business-scoped user id.
    chat = models.CharField(max_length=200, db_index=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class EmulatedMedia(models.Model):
    media_id = models.CharField(max_length=64, unique=True)
    mime_type = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)


class EmulatedTemplate(models.Model):
    template_id = models.CharField(max_length=64, unique=True)
    waba_id = models.CharField(max_length=64)
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=10)
    category = models.CharField(max_length=20)
    components = models.JSONField()
    status = models.CharField(max_length=12, default="APPROVED")
    created_at = models.DateTimeField(default=timezone.now)


class FailureRule(models.Model):
    """Make the next N matching calls fail, to exercise the sender's error paths."""

    path_contains = models.CharField(max_length=200, default="/messages")
    http_status = models.PositiveSmallIntegerField(default=500)
    error_code = models.IntegerField(null=True, blank=True)
    remaining = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
