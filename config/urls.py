from django.contrib import admin
from django.urls import include, path

from config import views
from config.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("", include("cctv.urls")),
    path("", include("evidence.urls")),
    path("", include("maps.urls_tiles")),
    path("", include("maps.urls")),
    path("", include("maps.urls_pages")),
    path("maps/proposals/", include("maps.urls_proposals")),
    path("reviews/", include("reports.review_urls")),
    path("", include("reports.urls")),
    # The public transparency page, open data and online SAR form: no sign-in (accounts.middleware).
    path("public/", include("reports.urls_public")),
    path("public/", include("cctv.urls_public")),
    path("public/", include("evidence.urls_public")),
    # Exhibit uploads are a plain Django view: ninja would parse the body before a handler runs,
    # and the upload must be hashed as it streams in (evidence/uploads.py).
    path("api/evidence/exhibits/upload/", include("evidence.urls_upload")),
    path("api/", api.urls),
    # The admin site signs in through our own sign-in, so its staff give their second factor too.
    path("admin/login/", views.admin_login_redirect, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
