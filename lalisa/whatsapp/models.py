"""What crossed the WhatsApp Cloud API, in both directions, kept as it came."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class WebhookDelivery(models.Model):
    """One signed POST from Meta, stored before anything is done with it."""

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    body = models.BinaryField()
    signature = models.CharField(max_length=100)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker draining deliveries holds one until then; a retry waits until next_attempt_at.
    claimed_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "kiriman webhook"
        verbose_name_plural = "kiriman webhook"
        indexes = [
            models.Index(
                fields=["id"], condition=Q(processed_at__isnull=True), name="delivery_pending_idx"
            )
        ]


class InboundMessage(models.Model):
    """A message a citizen or a staff member sent to the service number; one row per wamid."""

    wamid = models.CharField(max_length=200, unique=True)
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.SET_NULL, null=True)
    reporter = models.ForeignKey(
        "complaints.Reporter",
        related_name="inbound_messages",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    staff = models.ForeignKey(
        "accounts.User",
        related_name="inbound_messages",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    from_phone = models.CharField(max_length=32, blank=True)
    from_user_id = models.CharField(max_length=200, blank=True)
    profile_name = models.CharField(max_length=200, blank=True)
    type = models.CharField("jenis", max_length=40)
    text = models.TextField("isi", blank=True)
    payload = models.JSONField(default=dict)
    context_wamid = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField("dikirim")
    received_at = models.DateTimeField("diterima", default=timezone.now)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        related_name="inbound_messages",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handle_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "pesan masuk"
        verbose_name_plural = "pesan masuk"
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["reporter", "sent_at"])]

    def __str__(self):
        return f"{self.type} {self.wamid[-12:]}"

    @property
    def reply_id(self) -> str:
        """The id of the button or list row tapped (a template button's payload), else ""."""
        payload = self.payload or {}
        if self.type == "interactive":
            body = payload.get("interactive") or {}
            reply = body.get(body.get("type") or "") or {}
            return str(reply.get("id") or "") if isinstance(reply, dict) else ""
        if self.type == "button":
            return str((payload.get("button") or {}).get("payload") or "")
        return ""


class InboundMedia(models.Model):
    """A photo, video, voice note or document from an inbound message, fetched by the worker."""

    class State(models.TextChoices):
        PENDING = "pending", "Menunggu unduhan"
        STORED = "stored", "Tersimpan"
        FAILED = "failed", "Gagal diunduh"

    message = models.OneToOneField(InboundMessage, related_name="media", on_delete=models.CASCADE)
    media_id = models.CharField(max_length=100)
    # What the webhook said until the file is stored; then what its content shows.
    mime_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=100, blank=True)
    file = models.FileField(upload_to="whatsapp/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "media masuk"
        verbose_name_plural = "media masuk"


class OutboundMessage(models.Model):
    """A message the service sends. Its state only moves forward."""

    class State(models.TextChoices):
        QUEUED = "queued", "Antre"
        SENT = "sent", "Terkirim ke WhatsApp"
        DELIVERED = "delivered", "Sampai"
        READ = "read", "Dibaca"
        FAILED = "failed", "Gagal"

    reporter = models.ForeignKey(
        "complaints.Reporter",
        related_name="outbound_messages",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    staff = models.ForeignKey(
        "accounts.User",
        related_name="outbound_messages",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    # The address used: a phone (digits, as wa_id) or a business-scoped user id.
    to_phone = models.CharField(max_length=32, blank=True)
    to_user_id = models.CharField(max_length=200, blank=True)
    kind = models.CharField("jenis", max_length=24)
    payload = models.JSONField(help_text="The message object without its recipient.")
    # Template to use instead when the 24-hour window has closed (error 131047).
    fallback_template = models.CharField(max_length=100, blank=True)
    fallback_params = models.JSONField(default=list, blank=True)
    notification = models.ForeignKey(
        "notifications.Notification",
        related_name="whatsapp_messages",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        related_name="outbound_messages",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # The citizen's message a bot reply answers.
    in_reply_to = models.ForeignKey(
        InboundMessage, related_name="replies", on_delete=models.SET_NULL, null=True, blank=True
    )
    state = models.CharField("status", max_length=10, choices=State.choices, default=State.QUEUED)
    wamid = models.CharField(max_length=200, unique=True, null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "pesan keluar"
        verbose_name_plural = "pesan keluar"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["to_phone", "to_user_id", "id"],
                condition=Q(state="queued"),
                name="outbound_queued_idx",
            )
        ]

    def __str__(self):
        # Shown in the setup admin's titles and links: never the recipient's number.
        return f"{self.kind} #{self.pk}"


class ApiCall(models.Model):
    """Every call to the Graph API, for staff to inspect."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField("metode", max_length=8)
    url = models.CharField(max_length=500)
    request_body = models.TextField(blank=True)
    status_code = models.PositiveSmallIntegerField("kode HTTP", null=True, blank=True)
    response_body = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    outbound = models.ForeignKey(
        OutboundMessage, related_name="calls", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = "panggilan Graph API"
        verbose_name_plural = "panggilan Graph API"
        ordering = ["-created_at"]


class MessageTemplate(models.Model):
    """A message template as submitted to Meta. A changed text is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Belum diajukan"
        PENDING = "pending", "Menunggu persetujuan"
        APPROVED = "approved", "Disetujui"
        REJECTED = "rejected", "Ditolak"
        PAUSED = "paused", "Dijeda"
        DISABLED = "disabled", "Dinonaktifkan"

    key = models.SlugField("kunci", max_length=64)
    version = models.PositiveSmallIntegerField("versi", default=1)
    name = models.CharField("nama di Meta", max_length=100, unique=True)
    language = models.CharField("bahasa", max_length=10, default="id")
    category = models.CharField("kategori", max_length=20, default="UTILITY")
    body = models.TextField("isi")
    params = models.JSONField("parameter", default=list)
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    meta_id = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "templat pesan"
        verbose_name_plural = "templat pesan"
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="one_template_version")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"
