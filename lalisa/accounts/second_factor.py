"""The second factor at login: a TOTP code from an authenticator app (django-otp).

On with LALISA_2FA for the roles that see reporters' identities or set the service up; the
others log in with a password alone. The API is not asked: its tokens are its factor.
"""

import re
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from lalisa.accounts.models import Role

ROLES = frozenset({Role.ADMIN, Role.KABID, Role.SUPERADMIN})
DEVICE_NAME = "Aplikasi autentikator"
CODE = re.compile(r"[0-9]{6}", re.ASCII)


def required_for(user) -> bool:
    return bool(
        getattr(settings, "LALISA_2FA", False)
        and user is not None
        and user.is_authenticated
        and user.is_active
        and user.role in ROLES
    )


def device_of(user) -> TOTPDevice | None:
    """The user's enrolled device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: the same secret on every visit until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def normalize_code(text: str) -> str | None:
    """Six ASCII digits, spaces allowed between them (apps show `123 456`); else None."""
    code = "".join(text.split())
    return code if CODE.fullmatch(code) else None


@transaction.atomic
def check_code(user, device: TOTPDevice, code: str) -> TOTPDevice | None:
    """The device, confirmed, when the code is right for it now; each code counts only once
    (django-otp keeps the last time step used)."""
    verified = verify_token(user, device.persistent_id, code)
    if verified is not None and not verified.confirmed:
        verified.confirmed = True
        verified.save(update_fields=["confirmed"])
    return verified


def secret_text(device: TOTPDevice) -> str:
    """The secret as an app asks for it: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth URI as a QR code, an SVG data URI (the CSP allows data: images)."""
    return segno.make_qr(device.config_url, error="m").svg_data_uri(scale=5)
