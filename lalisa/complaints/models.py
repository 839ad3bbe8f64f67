from django.db import models
from django.db.models import Q
from django.utils import timezone

from lalisa.complaints.lookup_check import new_check
from lalisa.phones import normalize_phone


class Status(models.TextChoices):
    RECEIVED = "received", "Diterima"
    NEEDS_INFO = "needs_info", "Menunggu keterangan"
    VERIFIED = "verified", "Diverifikasi"
    DISPATCHED = "dispatched", "Ditugaskan"
    ACCEPTED = "accepted", "Menuju lokasi"
    ON_SITE = "on_site", "Di lokasi"
    DONE = "done", "Selesai ditangani"
    CLOSED = "closed", "Ditutup"
    REJECTED = "rejected", "Ditolak"
    REFERRED = "referred", "Dialihkan"
    DUPLICATE = "duplicate", "Digabung"


FINAL_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.REFERRED, Status.DUPLICATE})
OPEN_STATUSES = frozenset(set(Status) - FINAL_STATUSES - {Status.DONE})


class Priority(models.TextChoices):
    URGENT = "urgent", "Mendesak"
    NORMAL = "normal", "Biasa"


class Confidentiality(models.TextChoices):
    BIASA = "biasa", "Biasa"
    ANONIM = "anonim", "Anonim"
    RAHASIA = "rahasia", "Rahasia"


class Source(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    WALK_IN = "walk_in", "Datang langsung"
    PHONE = "phone", "Telepon"
    SOCIAL_MEDIA = "social_media", "Media sosial"


class Category(models.Model):
    code = models.SlugField("kode", max_length=40, unique=True)
    name = models.CharField("nama", max_length=100)
    description = models.CharField("keterangan", max_length=200, blank=True)
    default_priority = models.CharField(
        "prioritas bawaan", max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    order = models.PositiveSmallIntegerField("urutan", default=0)
    active = models.BooleanField("aktif", default=True)
    keywords = models.CharField(
        "kata kunci",
        max_length=500,
        blank=True,
        help_text="Kata yang dipakai warga untuk kategori ini, dipisah koma.",
    )

    class Meta:
        verbose_name = "kategori"
        verbose_name_plural = "kategori"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Outcome(models.Model):
    """What a team's handling came to (DESIGN.md: teguran_lisan, penertiban, …)."""

    code = models.SlugField("kode", max_length=40, unique=True)
    name = models.CharField("nama", max_length=100)
    order = models.PositiveSmallIntegerField("urutan", default=0)
    active = models.BooleanField("aktif", default=True)

    class Meta:
        verbose_name = "hasil penanganan"
        verbose_name_plural = "hasil penanganan"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Reporter(models.Model):
    """A citizen, known by whatever WhatsApp gives: business-scoped id, wa_id, phone, name."""

    user_id = models.CharField("BSUID", max_length=140, unique=True, null=True, blank=True)
    wa_id = models.CharField("wa_id", max_length=32, unique=True, null=True, blank=True)
    phone = models.CharField("nomor telepon", max_length=20, null=True, blank=True, db_index=True)
    profile_name = models.CharField("nama profil WhatsApp", max_length=200, blank=True)
    name = models.CharField("nama (diisi petugas)", max_length=200, blank=True)
    created_at = models.DateTimeField("tercatat", default=timezone.now)
    last_inbound_at = models.DateTimeField("pesan terakhir", null=True, blank=True)
    # A number that sent abuse or pranks: its messages are kept but not answered.
    blocked_at = models.DateTimeField("diblokir", null=True, blank=True)

    class Meta:
        verbose_name = "pelapor"
        verbose_name_plural = "pelapor"

    def save(self, *args, **kwargs):
        self.phone = normalize_phone(self.phone)
        self.user_id = self.user_id or None
        self.wa_id = self.wa_id or None
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.profile_name or self.phone or self.user_id or "Pelapor"

    def __str__(self):
        return self.display_name


class ReporterBlock(models.Model):
    """Who blocked or unblocked a number, when and why (the log the admin keeps)."""

    reporter = models.ForeignKey(Reporter, related_name="blocks", on_delete=models.CASCADE)
    blocked_by = models.ForeignKey(
        "accounts.User", related_name="+", on_delete=models.PROTECT, verbose_name="oleh"
    )
    reason = models.TextField("alasan")
    created_at = models.DateTimeField("diblokir", default=timezone.now)
    lifted_at = models.DateTimeField("dibuka", null=True, blank=True)
    lifted_by = models.ForeignKey(
        "accounts.User", related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = "blokir nomor"
        verbose_name_plural = "blokir nomor"
        ordering = ["-created_at"]


class TicketCounter(models.Model):
    """Last ticket number given in one month (period "YYMM", WITA)."""

    period = models.CharField(max_length=4, primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Complaint(models.Model):
    code = models.CharField("kode tiket", max_length=16, unique=True)
    # The public lookup answers only with it (lalisa.complaints.lookup_check).
    lookup_check = models.CharField("kode cek", max_length=8, default=new_check, editable=False)
    category = models.ForeignKey(Category, verbose_name="kategori", on_delete=models.PROTECT)
    description = models.TextField("uraian")
    lat = models.DecimalField("lintang", max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField("bujur", max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField("alamat/tempat", max_length=300, blank=True)
    kecamatan = models.ForeignKey(
        "regions.Kecamatan",
        verbose_name="kecamatan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    desa = models.ForeignKey(
        "regions.Desa", verbose_name="desa", on_delete=models.PROTECT, null=True, blank=True
    )
    priority = models.CharField(
        "prioritas", max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    confidentiality = models.CharField(
        "kerahasiaan",
        max_length=10,
        choices=Confidentiality.choices,
        default=Confidentiality.BIASA,
    )
    source = models.CharField(
        "sumber", max_length=16, choices=Source.choices, default=Source.WHATSAPP
    )
    status = models.CharField(
        "status", max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    # needs_info returns the complaint to where it came from.
    status_before_info = models.CharField(max_length=16, choices=Status.choices, blank=True)
    reporter = models.ForeignKey(
        Reporter,
        verbose_name="pelapor",
        related_name="complaints",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    supporters = models.ManyToManyField(
        Reporter, through="Supporter", related_name="supported_complaints", blank=True
    )
    filed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="dicatat oleh",
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    duplicate_of = models.ForeignKey(
        "self", related_name="duplicates", on_delete=models.PROTECT, null=True, blank=True
    )
    referred_to = models.CharField("dialihkan ke", max_length=200, blank=True)
    final_reason = models.TextField("alasan", blank=True)
    outcome = models.ForeignKey(
        Outcome, verbose_name="hasil", on_delete=models.PROTECT, null=True, blank=True
    )

    received_at = models.DateTimeField("diterima", default=timezone.now, db_index=True)
    verified_at = models.DateTimeField("diverifikasi", null=True, blank=True)
    dispatched_at = models.DateTimeField("ditugaskan", null=True, blank=True)
    accepted_at = models.DateTimeField("diterima tim", null=True, blank=True)
    on_site_at = models.DateTimeField("tiba di lokasi", null=True, blank=True)
    done_at = models.DateTimeField("selesai", null=True, blank=True)
    closed_at = models.DateTimeField("ditutup", null=True, blank=True)

    # Due times per stage, fixed at receipt from the SLA targets then in force.
    due_verify_at = models.DateTimeField("batas verifikasi", null=True, blank=True)
    due_dispatch_at = models.DateTimeField("batas penugasan", null=True, blank=True)
    due_on_site_at = models.DateTimeField("batas tiba di lokasi", null=True, blank=True)
    due_done_at = models.DateTimeField("batas selesai", null=True, blank=True)
    # The next one for the current status (None when nothing is due), kept for fast queries.
    due_at = models.DateTimeField("batas berikutnya", null=True, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "aduan"
        verbose_name_plural = "aduan"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="due_idx"),
            # The summary tables look for what changed since their last count.
            models.Index(fields=["updated_at"], name="complaint_updated_idx"),
            # The monthly report lists the complaints completed in the month.
            models.Index(fields=["done_at"], condition=Q(done_at__isnull=False), name="done_idx"),
        ]

    def __str__(self):
        return self.code

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()

    @property
    def place_text(self) -> str:
        """Address, desa, kecamatan: where it is, as people say it."""
        parts = [self.address, self.desa.name if self.desa_id else ""]
        parts.append(f"Kec. {self.kecamatan.name}" if self.kecamatan_id else "")
        return ", ".join(p for p in parts if p) or "-"

    @property
    def active_dispatch(self):
        return self.dispatches.filter(replaced_at__isnull=True).order_by("-dispatched_at").first()


class Supporter(models.Model):
    """A citizen who joined someone else's complaint; told of its progress, asked to rate."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE)
    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "pendukung"
        verbose_name_plural = "pendukung"
        constraints = [
            models.UniqueConstraint(fields=["complaint", "reporter"], name="one_support_each")
        ]


class Dispatch(models.Model):
    """A TRC team sent to a complaint. Replaced when the Kabid sends another team."""

    complaint = models.ForeignKey(Complaint, related_name="dispatches", on_delete=models.CASCADE)
    team = models.ForeignKey(
        "teams.TrcTeam", verbose_name="tim", related_name="dispatches", on_delete=models.PROTECT
    )
    dispatched_by = models.ForeignKey(
        "accounts.User", related_name="+", on_delete=models.PROTECT, null=True
    )
    dispatched_at = models.DateTimeField("ditugaskan", default=timezone.now)
    accepted_at = models.DateTimeField("diterima", null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User", related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    arrived_at = models.DateTimeField("tiba", null=True, blank=True)
    completed_at = models.DateTimeField("selesai", null=True, blank=True)
    completed_by = models.ForeignKey(
        "accounts.User", related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, null=True, blank=True)
    report_text = models.TextField("catatan tim", blank=True)
    replaced_at = models.DateTimeField("diganti", null=True, blank=True)

    class Meta:
        verbose_name = "penugasan"
        verbose_name_plural = "penugasan"
        ordering = ["dispatched_at"]
        indexes = [models.Index(fields=["dispatched_at"], name="dispatch_dispatched_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(replaced_at__isnull=True),
                name="one_active_dispatch",
            )
        ]

    def __str__(self):
        return f"{self.complaint.code} → {self.team}"


def media_path(instance, filename):
    return f"complaints/{instance.complaint_id}/{filename}"


class Media(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Foto"
        VIDEO = "video", "Video"
        AUDIO = "audio", "Suara"
        DOCUMENT = "document", "Dokumen"
        STICKER = "sticker", "Stiker"

    complaint = models.ForeignKey(Complaint, related_name="media", on_delete=models.CASCADE)
    dispatch = models.ForeignKey(
        Dispatch, related_name="photos", on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField("jenis", max_length=10, choices=Kind.choices)
    file = models.FileField("berkas", upload_to=media_path, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    caption = models.CharField("keterangan", max_length=1024, blank=True)
    wa_media_id = models.CharField(max_length=64, blank=True)
    # Our own upload to Meta, to send the file on (Meta keeps an upload 30 days).
    wa_upload_id = models.CharField(max_length=64, blank=True)
    wa_uploaded_at = models.DateTimeField(null=True, blank=True)
    # The team's photo chosen to go to the citizen with the result.
    for_citizen = models.BooleanField("dikirim ke pelapor", default=False)
    # The WhatsApp media it came from; its file is filled in when the download lands.
    inbound = models.ForeignKey(
        "whatsapp.InboundMedia",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_media",
    )
    uploaded_by = models.ForeignKey(
        "accounts.User", related_name="+", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "media"
        verbose_name_plural = "media"
        ordering = ["created_at"]
        constraints = [
            # One photo of a message is attached once, however often the bot retries.
            models.UniqueConstraint(
                fields=["complaint", "inbound"],
                condition=Q(inbound__isnull=False),
                name="one_media_per_inbound",
            )
        ]


class Rating(models.Model):
    complaint = models.ForeignKey(Complaint, related_name="ratings", on_delete=models.CASCADE)
    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE)
    score = models.PositiveSmallIntegerField("nilai")
    comment = models.TextField("komentar", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "penilaian"
        verbose_name_plural = "penilaian"
        indexes = [models.Index(fields=["created_at"], name="rating_created_idx")]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "reporter"], name="one_rating_each"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="score_1_to_5"
            ),
        ]


class Event(models.Model):
    """One row per change: what, who, when, why. The complaint's timeline."""

    class Actor(models.TextChoices):
        STAFF = "staff", "Petugas"
        CITIZEN = "citizen", "Warga"
        SYSTEM = "system", "Sistem"

    complaint = models.ForeignKey(Complaint, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField("peristiwa", max_length=32)
    actor_kind = models.CharField(max_length=8, choices=Actor.choices)
    actor_user = models.ForeignKey(
        "accounts.User", related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    actor_reporter = models.ForeignKey(
        Reporter, related_name="+", on_delete=models.PROTECT, null=True, blank=True
    )
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    reason = models.TextField("alasan", blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "riwayat"
        verbose_name_plural = "riwayat"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.complaint_id} {self.kind}"
