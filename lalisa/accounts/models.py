import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from lalisa.phones import InvalidPhone, normalize_phone


class Role(models.TextChoices):
    ADMIN = "admin", "Admin La-Lisa"
    KABID = "kabid", "Kabid Trantibum & Perda"
    TRC = "trc", "Anggota TRC"
    PIMPINAN = "pimpinan", "Pimpinan"
    SUPERADMIN = "superadmin", "Superadmin"


class User(AbstractUser):
    """A member of staff. The role decides what the user may see and do (lalisa.access)."""

    role = models.CharField("peran", max_length=16, choices=Role.choices, blank=True)
    whatsapp = models.CharField(
        "nomor WhatsApp",
        max_length=20,
        blank=True,
        null=True,
        unique=True,
        help_text="Format E.164, mis. +6281234567890. Nomor 08… diubah otomatis.",
    )
    whatsapp_user_id = models.CharField(
        "ID pengguna WhatsApp (BSUID)", max_length=140, blank=True, null=True, unique=True
    )
    team = models.ForeignKey(
        "teams.TrcTeam",
        verbose_name="tim TRC",
        related_name="members",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "pengguna"
        verbose_name_plural = "pengguna"

    def clean(self):
        super().clean()
        try:
            self.whatsapp = normalize_phone(self.whatsapp)
        except InvalidPhone as exc:
            raise ValidationError({"whatsapp": str(exc)}) from exc
        if self.role == Role.TRC and not self.team_id:
            raise ValidationError({"team": "Anggota TRC harus tergabung dalam satu tim."})
        if self.role != Role.TRC and self.team_id:
            raise ValidationError({"team": "Hanya anggota TRC yang tergabung dalam tim."})

    def save(self, *args, **kwargs):
        self.whatsapp = normalize_phone(self.whatsapp)
        self.whatsapp_user_id = self.whatsapp_user_id or None
        # The role alone decides admin access: a superadmin holds every admin permission (no
        # boxes to tick), no other role holds any; `createsuperuser` accounts become superadmins.
        self.role = self.role or (Role.SUPERADMIN if self.is_superuser else "")
        self.is_superuser = self.role == Role.SUPERADMIN
        # Only the superadmin uses the setup pages (Django admin).
        self.is_staff = self.role == Role.SUPERADMIN or self.is_superuser
        super().save(*args, **kwargs)

    def __str__(self):
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its hash is kept."""

    user = models.ForeignKey(
        User, verbose_name="pengguna", on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("awalan", max_length=8)
    created_at = models.DateTimeField("dibuat", default=timezone.now)
    last_used_at = models.DateTimeField("terakhir dipakai", null=True, blank=True)
    revoked_at = models.DateTimeField("dicabut", null=True, blank=True)

    class Meta:
        verbose_name = "token API"
        verbose_name_plural = "token API"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> str:
        key = "ll_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, key_hash=cls.hash(key), prefix=key[:8])
        return key

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=cls.hash(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class LoginAttempt(models.Model):
    """One try at the staff login: the log the lock-outs are counted from (lalisa.web.forms).

    Successes are kept too: failures before a user's last success no longer count, so the
    log itself stays whole."""

    class Result(models.TextChoices):
        SUCCESS = "success", "Berhasil"
        FAILED = "failed", "Gagal"
        REFUSED = "refused", "Ditolak (sedang dikunci)"

    username = models.CharField("nama pengguna dicoba", max_length=150, db_index=True)
    ip = models.GenericIPAddressField("alamat IP", null=True, blank=True, db_index=True)
    result = models.CharField("hasil", max_length=8, choices=Result.choices)
    locks_username = models.BooleanField("mengunci nama pengguna", default=False)
    locks_ip = models.BooleanField("mengunci alamat IP", default=False)
    created_at = models.DateTimeField("waktu", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "percobaan masuk"
        verbose_name_plural = "percobaan masuk"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.username} {self.ip or '-'} {self.get_result_display()}"

    @property
    def caused_lockout(self) -> bool:
        return self.locks_username or self.locks_ip
