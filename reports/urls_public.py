"""The public transparency page and the published signing key, under /public/ (config/urls.py)."""

from django.urls import path

from reports import public

app_name = "public"

urlpatterns = [
    path("", public.public_page, name="page"),
    path("signing-key.pem", public.signing_key_download, name="signing_key"),
]
