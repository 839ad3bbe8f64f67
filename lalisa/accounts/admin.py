from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp import admin as totp_admin  # noqa: F401  (registers first)
from django_otp.plugins.otp_totp.models import TOTPDevice

from lalisa.accounts.models import ApiToken, AuthenticatorApp, LoginAttempt, User
from lalisa.readonly_admin import ReadOnly
from lalisa.web.forms import AdminLoginForm

# The role decides what a user may do (lalisa.access); groups would only confuse that.
admin.site.unregister(Group)
# The setup login counts failures and lock-outs like the staff login (lalisa.web.forms).
admin.site.login_form = AdminLoginForm
# django-otp's own device admin (imported here so it is registered first) speaks English and
# can show a secret; AuthenticatorAppAdmin below lists the apps and removes a lost one.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

ROLE_HELP = (
    "Peran menentukan apa yang dapat dilihat dan dikerjakan pengguna. Anggota TRC wajib "
    "tergabung dalam satu tim; peran lain tidak bertim. Hanya Superadmin yang dapat membuka "
    "halaman penyiapan ini."
)
WHATSAPP_HELP = "Nomor WhatsApp dipakai untuk pemberitahuan dan untuk mengenali pesan petugas."

# The warning's id is the one Django's script shows and hides.
NO_LOGIN_HELP = (
    "Ditiadakan: pengguna tidak dapat masuk dengan sandi sampai diberi sandi baru. "
    '<ul id="id_unusable_warning" class="messagelist"><li class="warning">'
    "Bila ditiadakan, sandi pengguna ini sekarang hilang.</li></ul>"
)


class PasswordResetForm(AdminPasswordChangeForm):
    """Django's reset form (a new password checked by the validators, or none at all) with
    its last English words in Indonesian."""

    usable_password_help_text = NO_LOGIN_HELP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:
            self.fields["usable_password"].label = "Masuk dengan sandi"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = PasswordResetForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Data pribadi", {"fields": ("first_name", "last_name", "email")}),
        (
            "Peran dan WhatsApp",
            {
                "fields": ("role", "team", "whatsapp", "whatsapp_user_id"),
                "description": f"{ROLE_HELP} {WHATSAPP_HELP}",
            },
        ),
        (
            "Status",
            {"fields": ("is_active", "last_login", "date_joined", "password_changed_at")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        ("Data pribadi", {"fields": ("first_name", "last_name", "email")}),
        (
            "Peran dan WhatsApp",
            {
                "fields": ("role", "team", "whatsapp", "whatsapp_user_id"),
                "description": f"{ROLE_HELP} {WHATSAPP_HELP}",
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "password_changed_at")
    list_display = (
        "username",
        "full_name",
        "role",
        "team",
        "whatsapp",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "team", "is_active")
    list_select_related = ("team",)
    search_fields = ("username", "first_name", "last_name", "email", "whatsapp")
    filter_horizontal = ()

    @admin.display(description="nama lengkap", ordering="first_name")
    def full_name(self, obj):
        return obj.get_full_name() or "–"

    def user_change_password(self, request, id, form_url=""):
        """Django's reset form (a new password, or none); the model ends the rest."""
        user = self.get_object(request, unquote(id))
        response = super().user_change_password(request, id, form_url)
        if user is not None and User.objects.get(pk=user.pk).password != user.password:
            self.message_user(
                request,
                "Sesi pengguna ini yang masih terbuka dan token API-nya tidak berlaku lagi.",
                messages.INFO,
            )
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly, admin.ModelAdmin):
    """Tokens are issued with `lalisa apitoken`; here they are only listed and revoked.
    Ended rows stay: they say which token was used until when."""

    list_display = (
        "prefix",
        "user",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "state",
    )
    list_filter = ("scope", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("prefix", "user__username")
    actions = ["revoke"]

    @admin.display(description="keadaan")
    def state(self, obj):
        return obj.ended_because() or "berlaku"

    @admin.action(description="Cabut token terpilih")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} token dicabut.", messages.SUCCESS)


@admin.register(AuthenticatorApp)
class AuthenticatorAppAdmin(ReadOnly, admin.ModelAdmin):
    """The authenticator apps of the second factor (LALISA_2FA). The secret is never shown;
    a lost phone's app is deleted here, and its owner enrols a new one at the next login."""

    list_display = ("owner", "enrolled", "created", "last_used")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    fields = ("owner", "enrolled", "created", "last_used")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    @admin.display(description="pengguna", ordering="user__username")
    def owner(self, obj):
        return obj.user

    @admin.display(description="terpasang", boolean=True, ordering="confirmed")
    def enrolled(self, obj):
        return obj.confirmed

    @admin.display(description="dibuat", ordering="created_at")
    def created(self, obj):
        return obj.created_at

    @admin.display(description="terakhir dipakai", ordering="last_used_at")
    def last_used(self, obj):
        return obj.last_used_at


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnly, admin.ModelAdmin):
    """The login log: every failure, refusal and lock-out, written by the login form."""

    list_display = ("created_at", "username", "ip", "result", "locks_username", "locks_ip")
    list_filter = ("result", "locks_username", "locks_ip")
    search_fields = ("username", "ip")
    date_hierarchy = "created_at"
