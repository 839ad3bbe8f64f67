import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    # API tokens issued before this moment no longer authenticate (ApiToken.ended_because);
    # sessions end with a new password through Django's session hash.
    password_changed_at = models.DateTimeField("sandi terakhir diubah", null=True, blank=True)

    # Set by set_unusable_password() until the next save (set_password() has `_password`).
    _password_dropped = False

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
        # A new password (or none) ends the user's API tokens. A hash upgrade at login is no
        # change: Django's check_password() clears `_password` before saving the new hash.
        if self._password is not None or self._password_dropped:
            self.password_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "password_changed_at"}
            self._password_dropped = False
        super().save(*args, **kwargs)

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_dropped = True

    def __str__(self):
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its hash is kept.

    It ends when revoked, at `expires_at` (LALISA_API_TOKEN_DAYS after issue unless shorter),
    when its user's password changes, or with its user; a read token may only read."""

    class Scope(models.TextChoices):
        READ = "read", "Hanya membaca"
        WRITE = "write", "Membaca dan mengubah"

    # Writing last_used_at on every request would cost a write each: once a minute is enough.
    TOUCH_EVERY = timedelta(minutes=1)

    user = models.ForeignKey(
        User, verbose_name="pengguna", on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("awalan", max_length=8)
    scope = models.CharField("cakupan", max_length=8, choices=Scope.choices, default=Scope.WRITE)
    created_at = models.DateTimeField("dibuat", default=timezone.now)
    expires_at = models.DateTimeField("berlaku sampai")
    last_used_at = models.DateTimeField("terakhir dipakai", null=True, blank=True)
    revoked_at = models.DateTimeField("dicabut", null=True, blank=True)

    class Meta:
        verbose_name = "token API"
        verbose_name_plural = "token API"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def max_days() -> int:
        return settings.LALISA_API_TOKEN_DAYS

    @classmethod
    def issue(cls, user: User, *, days: int | None = None, scope: str = Scope.WRITE) -> str:
        days = cls.max_days() if days is None else days
        if not 1 <= days <= cls.max_days():
            raise ValueError(f"days must be between 1 and {cls.max_days()}")
        key = "ll_" + secrets.token_urlsafe(32)
        now = timezone.now()
        cls.objects.create(
            user=user,
            key_hash=cls.hash(key),
            prefix=key[:8],
            scope=scope,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        return key

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        """The token this key names if it still authenticates; notes when it was used."""
        token = cls.objects.select_related("user").filter(key_hash=cls.hash(key)).first()
        now = timezone.now()
        if token is None or token.ended_because(now):
            return None
        if token.last_used_at is None or now - token.last_used_at >= cls.TOUCH_EVERY:
            token.last_used_at = now
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        token = cls.find(key)
        return token.user if token else None

    def ended_because(self, now=None) -> str:
        """Why this token no longer authenticates, or "" while it does."""
        now = now or timezone.now()
        changed = self.user.password_changed_at
        if self.revoked_at is not None:
            return "dicabut"
        if not self.user.is_active:
            return "pengguna nonaktif"
        if changed is not None and changed > self.created_at:
            return "sandi diubah"
        if self.expires_at <= now:
            return "kedaluwarsa"
        return ""

    @property
    def is_read_only(self) -> bool:
        return self.scope != self.Scope.WRITE

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class AuthenticatorApp(TOTPDevice):
    """A user's authenticator app (django-otp's TOTP device) as the setup admin lists it."""

    class Meta:
        proxy = True
        verbose_name = "aplikasi autentikator"
        verbose_name_plural = "aplikasi autentikator"


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
