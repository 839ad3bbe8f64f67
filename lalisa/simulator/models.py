"""State of the local Graph API emulator: what the service sent, media, templates, and
failures a test asked for. Only used when LALISA_SIMULATOR is on."""

from django.db import models
from django.utils import timezone


class EmulatedContact(models.Model):
    """A WhatsApp user played in the simulator. Every chat is keyed by the user's BSUID;
    the phone (wa_id) maps a send addressed with `to` onto the same chat."""

    user_id = models.CharField(max_length=200, unique=True)
    wa_id = models.CharField(max_length=32, blank=True, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=64, blank=True)
    # "tanpa nomor": webhooks for this user carry no wa_id/from, as Meta does when the
    # phone is not shareable.
    phone_hidden = models.BooleanField(default=False)
    # Set by mark-as-read with a typing indicator; Meta clears it on reply or after 25 s.
    typing_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    @property
    def shared_wa_id(self) -> str:
        return "" if self.phone_hidden else self.wa_id


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
    # Why the webhook refused an inbound message (shown in the simulator).
    error = models.TextField(blank=True)
    # The exact bytes posted to the webhook, for a byte-identical resend (PostgreSQL's jsonb
    # does not keep key order).
    raw = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class EmulatedMedia(models.Model):
    media_id = models.CharField(max_length=64, unique=True)
    mime_type = models.CharField(max_length=100)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255, blank=True)


class EmulatedTemplate(models.Model):
    template_id = models.CharField(max_length=64, unique=True)
    waba_id = models.CharField(max_length=64)
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=10)
    category = models.CharField(max_length=20)
    components = models.JSONField()
    status = models.CharField(max_length=12, default="APPROVED")
    created_at = models.DateTimeField(default=timezone.now)
    parameter_format = models.CharField(max_length=12, default="positional")


class FailureRule(models.Model):
    """Make the next N matching calls fail, to exercise the sender's error paths.

    http_status 200 with an error_code accepts a send and then reports it `failed` in a
    status webhook, as Meta does for errors it finds after accepting a message."""

    path_contains = models.CharField(max_length=200, default="/messages")
    http_status = models.PositiveSmallIntegerField(default=500)
    error_code = models.IntegerField(null=True, blank=True)
    remaining = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
