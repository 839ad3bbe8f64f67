"""The staff member's own credentials: changing the password, and the second factor at login
(LALISA_2FA) with its enrolment."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from lalisa.accounts import second_factor
from lalisa.web.forms import LOCKED_MESSAGE, PasswordChangeForm, SecondFactorForm

CHANGED_MESSAGE = (
    "Sandi Anda sudah diubah. Sesi Anda di perangkat lain dan token API Anda tidak berlaku lagi."
)


def _locked_out(request):
    """Too many failures: the session ends, as a failed login would leave it."""
    logout(request)
    messages.error(request, LOCKED_MESSAGE)
    return redirect("web:login")


@sensitive_post_parameters()
@never_cache
@login_required
def password_change(request):
    form = PasswordChangeForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()  # a new password: other sessions and the API tokens end
            update_session_auth_hash(request, user)  # this session stays logged in
            messages.success(request, CHANGED_MESSAGE)
            return redirect("web:home")
        if form.has_error("old_password", "locked"):
            return _locked_out(request)
    return render(request, "web/password.html", {"form": form})


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


@sensitive_post_parameters()
@never_cache
@login_required
def second_factor_page(request):
    """The code after the password, for the roles that need one; enrolment first for a user
    without an authenticator app (the secret shown as a QR code and as text)."""
    user = request.user
    target = _next(request)
    if not second_factor.required_for(user) or user.is_verified():
        return redirect(target)
    device = second_factor.device_of(user)
    enrolling = device is None
    if enrolling:
        device = second_factor.pending_device(user)
    form = SecondFactorForm(
        request, device, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST":
        if form.is_valid():
            # A new session key for the verified session: nothing learnt before carries over.
            request.session.cycle_key()
            otp_login(request, form.verified)
            if enrolling:
                messages.success(request, "Aplikasi autentikator terpasang.")
            return redirect(target)
        if form.has_error("__all__", "locked"):
            return _locked_out(request)
    context = {"form": form, "enrolling": enrolling, "next": target}
    if enrolling:
        context |= {
            "secret": second_factor.secret_text(device),
            "uri": device.config_url,
            "qr": second_factor.qr_data_uri(device),
        }
    return render(request, "web/second_factor.html", context)
