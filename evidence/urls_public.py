"""The online subject access request form, under /public/ (config/urls.py); no sign-in needed."""

from django.urls import path

from evidence.views import public_sar

app_name = "public_sar"

urlpatterns = [
    path("subject-access/", public_sar.sar_start, name="start"),
    path("subject-access/sent/", public_sar.sar_sent, name="sent"),
    path("subject-access/<int:scheme_id>/", public_sar.sar_form, name="form"),
]
