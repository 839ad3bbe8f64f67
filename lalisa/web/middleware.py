"""Response headers and session rules for every page."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from lalisa.accounts import second_factor

# --- Content-Security-Policy --------------------------------------------------------------

_BASE = {
    "default-src": "'self'",
    "img-src": "'self' data: blob: https://*.tile.openstreetmap.org",
    "style-src": "'self'",
    "script-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}


def _policy(**changes: str) -> str:
    return "; ".join(f"{name} {value}" for name, value in {**_BASE, **changes}.items())


CSP = _policy()
# Inline style attributes, and no inline scripts, in both: the setup admin's own pages
# (lalisa.whatsapp.admin shows texts in <div style="white-space: pre-wrap">) and the phone
# simulator (an SVG sprite hidden with style="position:absolute").
CSP_BY_PATH = (
    ("/admin/", _policy(**{"style-src": "'self' 'unsafe-inline'"})),
    ("/simulator/", _policy(**{"style-src": "'self' 'unsafe-inline'"})),
)


def policy_for(path: str) -> str:
    return next((policy for prefix, policy in CSP_BY_PATH if path.startswith(prefix)), CSP)


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy unless the view set its own. (nosniff and the
    Referrer-Policy come from Django's SecurityMiddleware settings.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path)
        return response


# --- idle logout --------------------------------------------------------------------------

LAST_SEEN = "lalisa_last_seen"
# Writing the session on every request would cost a database write each: once a minute is
# precise enough for a two-hour limit.
TOUCH_EVERY = 60

IDLE_MESSAGE = "Sesi Anda berakhir karena tidak aktif selama {minutes} menit. Silakan masuk lagi."


def mark_login(sender, request, user, **kwargs):
    """A login is activity: the session starts with its clock set (connected in apps.py)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class IdleLogoutMiddleware:
    """Logs out a staff session left unused for LALISA_IDLE_LOGOUT_MINUTES (0: never) and
    sends the next request to the login page. After AuthenticationMiddleware and
    MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        minutes = getattr(settings, "LALISA_IDLE_LOGOUT_MINUTES", 120)
        user = getattr(request, "user", None)
        if minutes and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > minutes * 60:
                logout(request)
                messages.info(request, IDLE_MESSAGE.format(minutes=minutes))
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


# --- second factor ------------------------------------------------------------------------

# No session is used here: the API's bearer tokens are its factor, webhooks are signed.
SESSIONLESS = ("/api/", "/webhooks/")


class SecondFactorMiddleware:
    """With LALISA_2FA on, a session of a role that needs the code (lalisa.accounts.
    second_factor) reaches only the code page and the logout until the code is given: every
    staff page and the setup admin alike. After django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "LALISA_2FA", False):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if second_factor.required_for(user) and not user.is_verified():
            page = reverse("web:second_factor")
            if request.path not in (page, reverse("web:logout")) and not request.path.startswith(
                SESSIONLESS
            ):
                return redirect_to_login(request.get_full_path(), login_url=page)
        return self.get_response(request)
