from django.urls import path

from lalisa.api import reports, views

app_name = "api"
urlpatterns = [
    path("complaints", views.complaints, name="complaints"),
    path("complaints/<str:code>", views.complaint, name="complaint"),
    path("complaints/<str:code>/actions", views.actions, name="actions"),
    path("media/<int:pk>", views.media, name="media"),
    path("teams", views.teams, name="teams"),
    path("reports/monthly", reports.monthly, name="monthly_report"),
    path("openapi.json", views.openapi, name="openapi"),
]
