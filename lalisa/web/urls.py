from django.contrib.auth import views as auth_views
from django.urls import path

from lalisa.web import views
from lalisa.web.forms import LoginForm

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,  # throttled: lock-outs after repeated failures
        ),
        name="login",
    ),
    # POST only (Django's LogoutView): a link cannot log anyone out.
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("aduan/<str:code>/", views.complaint_detail, name="complaint"),
    # Public, no login: ServiceProfile.privacy_url points here.
    path("publik/privasi/", views.privacy, name="privacy"),
]
