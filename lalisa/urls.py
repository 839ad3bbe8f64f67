from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django_tasks_db.models import DBTaskResult

admin.site.site_header = "LA-LISA — Penyiapan"
admin.site.site_title = "LA-LISA"
admin.site.index_title = "Penyiapan layanan"
# The task queue is the worker's business, and its admin speaks only English.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

# Under /api/v1/ even a server error answers JSON.
handler500 = "lalisa.api.views.server_error"

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    # One password page for everyone, throttled (lalisa.web.account), the admin's link too.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="web:password_change", query_string=False),
    ),
    path("admin/", admin.site.urls),
    path("webhooks/", include("lalisa.whatsapp.urls")),
    # The Graph API emulator and the phone simulator answer only when LALISA_SIMULATOR is on
    # and every ALLOWED_HOSTS entry is local (lalisa.simulator.exposure, checked per request).
    path("", include("lalisa.simulator.urls")),
    path("api/v1/", include("lalisa.api.urls")),
    path("", include("lalisa.reports.urls")),
    path("", include("lalisa.monthly.urls")),
    path("", include("lalisa.public.urls")),
    path("", include("lalisa.web.urls")),
]
