from django.urls import path

from lalisa.whatsapp import webhook

app_name = "whatsapp"
urlpatterns = [path("whatsapp", webhook.whatsapp, name="webhook")]
