import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lalisa.settings")
django_application = get_wsgi_application()

from lalisa.whatsapp.fastpath import WebhookFastPath  # noqa: E402 - needs Django set up

application = WebhookFastPath(django_application)
