"""The staff member's own credentials: changing the password."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from lalisa.web.forms import LOCKED_MESSAGE, PasswordChangeForm

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
