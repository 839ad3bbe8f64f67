from django.urls import path

from lalisa.public import views

app_name = "public"
urlpatterns = [
    path("publik/", views.public_page, name="page"),
    path("publik/cek/", views.status_lookup, name="lookup"),
]
