from django.urls import path

from lalisa.monthly import views

app_name = "monthly"
urlpatterns = [
    path("laporan/", views.reports_page, name="page"),
    path("laporan/berkas/<int:pk>/status.json", views.file_status, name="status"),
    path("laporan/berkas/<int:pk>/unduh", views.download, name="download"),
]
