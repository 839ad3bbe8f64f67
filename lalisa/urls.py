from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "LA-LISA — Penyiapan"
admin.site.site_title = "LA-LISA"
admin.site.index_title = "Penyiapan layanan"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("lalisa.web.urls")),
]
