from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lalisa.web"
    verbose_name = "Halaman petugas"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from lalisa.web.middleware import mark_login

        user_logged_in.connect(mark_login, dispatch_uid="lalisa.web.mark_login")
