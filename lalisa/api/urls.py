from django.urls import path, re_path

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
    # Last: whatever the routes above do not take is a JSON 404, not the site's HTML one.
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
