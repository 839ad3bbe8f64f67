"""Mounted at the site root: the Graph API emulator under graph/, the phone simulator under
simulator/. Every view answers 404 unless LALISA_SIMULATOR is on and the site is local only
(lalisa.simulator.exposure, checked per request)."""

from django.urls import path, re_path

from lalisa.simulator import graph_views, views

app_name = "simulator"

VERSION = r"(?P<version>v\d+\.\d+)"
NODE = r"(?P<node>[^/]+)"

urlpatterns = [
    path("graph/_control/failures", graph_views.failures, name="failures"),
    path("graph/_media/<str:media_id>", graph_views.media_download, name="media-download"),
    re_path(rf"^graph/{VERSION}/{NODE}/messages$", graph_views.messages, name="messages"),
    re_path(rf"^graph/{VERSION}/{NODE}/media$", graph_views.media_upload, name="media-upload"),
    re_path(
        rf"^graph/{VERSION}/{NODE}/message_templates$",
        graph_views.message_templates,
        name="message-templates",
    ),
    re_path(rf"^graph/{VERSION}/{NODE}$", graph_views.node, name="node"),
    re_path(r"^graph/(?P<rest>.*)$", graph_views.unknown_path),
    path("simulator/", views.page, name="page"),
    path("simulator/api/identity", views.identity, name="identity"),
    path("simulator/api/chat", views.chat_view, name="chat"),
    path("simulator/api/send", views.send, name="send"),
    path("simulator/api/resend", views.resend, name="resend"),
    path("simulator/api/upload", views.upload, name="upload"),
    path("simulator/api/read", views.read, name="read"),
    path("simulator/media/<str:media_id>", views.media, name="media"),
]
