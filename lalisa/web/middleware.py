"""Response headers and session rules for every page."""

import functools
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import resolve_url
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
# Django's session expiry slides with every write (each touch below is one): the hard end of
# a session, SESSION_COOKIE_AGE after its login, is counted from here.
LOGGED_IN_AT = "lalisa_logged_in_at"
# Writing the session on every request would cost a database write each: once a minute is
# precise enough for a two-hour limit.
TOUCH_EVERY = 60
# What a page asks for by itself (the inbox's badge, a report's progress) is no sign that
# anyone is there: it carries this header, and the views that exist for it are @background.
BACKGROUND_HEADER = "X-Lalisa-Background"

IDLE_MESSAGE = "Sesi Anda berakhir karena tidak aktif selama {minutes} menit. Silakan masuk lagi."
AGE_MESSAGE = "Sesi Anda berakhir karena sudah {hours} jam sejak masuk. Silakan masuk lagi."
SESSION_ENDED = "Sesi Anda telah berakhir. Silakan masuk lagi."


def mark_login(sender, request, user, **kwargs):
    """A login is activity: the session starts with its clock set (connected in apps.py)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = request.session[LOGGED_IN_AT] = int(time.time())


def session_ended(message: str = SESSION_ENDED) -> JsonResponse:
    """The answer to a background request without a session: the page goes to the login."""
    return JsonResponse(
        {"error": message, "login_url": resolve_url(settings.LOGIN_URL)}, status=401
    )


def background(view):
    """Marks a view that pages poll by themselves: its requests never keep a session alive,
    and without a session it answers 401 JSON instead of redirecting to the login page.
    Outermost, above @login_required."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return session_ended()
        return view(request, *args, **kwargs)

    wrapper.background = True
    return wrapper


def is_background(request, view) -> bool:
    return getattr(view, "background", False) or request.headers.get(BACKGROUND_HEADER) == "1"


class IdleLogoutMiddleware:
    """Logs out a staff session left unused for LALISA_IDLE_LOGOUT_MINUTES (0: never) and
    sends the next request to the login page (a background request gets 401 JSON). Only
    requests someone made count as use: background ones leave the session untouched, so
    neither the clock here nor the session's own expiry moves. After AuthenticationMiddleware
    and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Here, not in __call__: whether the view is @background is known once it is resolved.
        minutes = getattr(settings, "LALISA_IDLE_LOGOUT_MINUTES", 120)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        polled = is_background(request, view_func)
        now = int(time.time())
        last = request.session.get(LAST_SEEN)
        logged_in = request.session.get(LOGGED_IN_AT)
        message = None
        if minutes and last is not None and now - last > minutes * 60:
            message = IDLE_MESSAGE.format(minutes=minutes)
        elif logged_in is not None and now - logged_in > settings.SESSION_COOKIE_AGE:
            message = AGE_MESSAGE.format(hours=round(settings.SESSION_COOKIE_AGE / 3600))
        if message:
            logout(request)
            messages.info(request, message)
            return session_ended(message) if polled else redirect_to_login(request.get_full_path())
        if not minutes:
            return None
        if not polled and (last is None or now - last >= TOUCH_EVERY):
            request.session[LAST_SEEN] = now
        return None


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
