"""The staff login, throttled: repeated failures lock a username or an address for a while.

Every try is a LoginAttempt row; the lock-outs are counted from those rows, so they hold
across processes and restarts, and the superadmin reads the same rows in the setup admin.
Wrong second-factor codes and wrong old passwords on the password page count as failures too.
"""

import logging
from datetime import timedelta

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from lalisa.accounts import second_factor
from lalisa.accounts.models import LoginAttempt
from lalisa.proxies import client_ip

log = logging.getLogger(__name__)

USERNAME_LIMIT = 5
IP_LIMIT = 20
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)

# The same words whichever lock applies: nothing tells whether the username exists.
LOCKED_MESSAGE = (
    "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, percobaan masuk ditutup "
    "sementara; silakan coba lagi 15 menit lagi."
)

Result = LoginAttempt.Result


def throttle_name(username: str) -> str:
    """The username as the lock-outs count it: the same for any case or surrounding spaces."""
    return username.strip().lower()[:150]


def is_locked(username: str, ip: str | None, now=None) -> bool:
    now = now or timezone.now()
    lock = Q(locks_username=True, username=username)
    if ip:
        lock |= Q(locks_ip=True, ip=ip)
    return LoginAttempt.objects.filter(lock, created_at__gt=now - LOCK_FOR).exists()


@transaction.atomic
def record_failure(username: str, ip: str | None, now=None) -> LoginAttempt:
    """Log a failed try; it locks the username (or the address) when it reaches the limit."""
    now = now or timezone.now()
    start = now - WINDOW
    # A success clears the username's earlier failures (not the address's).
    last_success = LoginAttempt.objects.filter(username=username, result=Result.SUCCESS).aggregate(
        at=Max("created_at")
    )["at"]
    if last_success and last_success > start:
        start = last_success
    failed = LoginAttempt.objects.filter(result=Result.FAILED)
    by_user = failed.filter(username=username, created_at__gt=start).count() + 1
    by_ip = failed.filter(ip=ip, created_at__gt=now - WINDOW).count() + 1 if ip else 0
    attempt = LoginAttempt.objects.create(
        username=username,
        ip=ip,
        result=Result.FAILED,
        locks_username=by_user >= USERNAME_LIMIT,
        locks_ip=by_ip >= IP_LIMIT,
        created_at=now,
    )
    if attempt.caused_lockout:
        log.warning(
            "login locked for 15 minutes: username=%r ip=%s (%d by username, %d by ip)",
            username,
            ip,
            by_user,
            by_ip,
        )
    return attempt


class ThrottledLogin:
    """Mixed into an AuthenticationForm (it needs the request, which LoginView passes)."""

    def clean(self):
        username = throttle_name(self.cleaned_data.get("username") or "")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # the field errors say what is missing
        ip = client_ip(self.request) if self.request is not None else None
        if is_locked(username, ip):
            LoginAttempt.objects.create(username=username, ip=ip, result=Result.REFUSED)
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            # A right password for an account that may not log in here (inactive, or not
            # staff on the admin login) is no guess: only unknown credentials count.
            if self.user_cache is None and record_failure(username, ip).caused_lockout:
                raise forms.ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise
        # With a second factor the login succeeds at the code (SecondFactorForm): a right
        # password alone must not clear the failures the wrong codes add up.
        if not second_factor.required_for(self.user_cache):
            LoginAttempt.objects.create(username=username, ip=ip, result=Result.SUCCESS)
        return cleaned


class LoginForm(ThrottledLogin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLogin, AdminAuthenticationForm):
    """The setup admin's own login page counts against the same limits."""


class SecondFactorForm(forms.Form):
    """The 6-digit code of the user's authenticator app (or of the one being enrolled),
    throttled with the password: a wrong code is a failed login."""

    code = forms.CharField(label="Kode 6 angka", max_length=20)

    def __init__(self, request, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.device = device
        self.verified = None

    def clean_code(self):
        code = second_factor.normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("Kode terdiri atas 6 angka.", code="format")
        return code

    def clean(self):
        user = self.request.user
        username = throttle_name(user.get_username())
        ip = client_ip(self.request)
        if is_locked(username, ip):
            LoginAttempt.objects.create(username=username, ip=ip, result=Result.REFUSED)
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        code = self.cleaned_data.get("code")
        if code is None:
            return self.cleaned_data
        self.verified = second_factor.check_code(user, self.device, code)
        if self.verified is None:
            if record_failure(username, ip).caused_lockout:
                raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
            raise forms.ValidationError(
                "Kode salah atau sudah lewat. Masukkan kode yang sedang tampil di aplikasi.",
                code="wrong",
            )
        LoginAttempt.objects.create(username=username, ip=ip, result=Result.SUCCESS)
        return self.cleaned_data


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (its Indonesian labels, the password validators), with the old password
    throttled like a login: a session cannot be used to guess it."""

    def __init__(self, request, *args, **kwargs):
        super().__init__(request.user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        username = throttle_name(self.user.get_username())
        ip = client_ip(self.request)
        if is_locked(username, ip):
            LoginAttempt.objects.create(username=username, ip=ip, result=Result.REFUSED)
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            if record_failure(username, ip).caused_lockout:
                raise forms.ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise
