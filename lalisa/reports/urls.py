from django.urls import path

from lalisa.reports import dashboard, maps, performance

app_name = "reports"
urlpatterns = [
    path("dasbor/", dashboard.dashboard, name="dashboard"),
    path("peta/", maps.map_page, name="map"),
    path("peta/titik.json", maps.pins, name="pins"),
    path("kinerja/", performance.performance, name="performance"),
]
