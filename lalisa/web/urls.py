from django.contrib.auth import views as auth_views
from django.urls import path

from lalisa.web import account, actions, filing, views
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
    # After the password, for the roles that need a second factor (LALISA_2FA).
    path("masuk/kode/", account.second_factor_page, name="second_factor"),
    path("sandi/", account.password_change, name="password_change"),
    # POST only (Django's LogoutView): a link cannot log anyone out.
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # Before aduan/<code>/: "baru.json" is no ticket code.
    path("aduan/baru.json", views.new_items, name="new_items"),
    path("aduan/catat/", filing.file_for_someone, name="file"),
    path("aduan/<str:code>/", views.complaint_detail, name="complaint"),
    path("aduan/<str:code>/balas/", actions.reply, name="reply"),
    path("aduan/<str:code>/blokir/", actions.block, name="block"),
    path("aduan/<str:code>/langkah/<str:step>/", actions.take_step, name="step"),
    path("aduan/<str:code>/media/<int:pk>", views.media, name="media"),
    path("tinjau/", views.review, name="review"),
    path("tugas/", views.tasks, name="tasks"),
    # Public, no login: ServiceProfile.privacy_url points here.
    path("publik/privasi/", views.privacy, name="privacy"),
]
