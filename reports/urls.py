from django.urls import path

from reports import views

app_name = "reports"

# Mounted at the site root ("reports/monthly/..."): reports.figures.RECORDS_PATH builds the same addresses.
urlpatterns = [
    path("reports/monthly/", views.monthly_list, name="monthly_list"),
    path("reports/monthly/<str:month>/", views.monthly_page, name="monthly"),
    path("reports/monthly/<str:month>/csv/", views.monthly_csv, name="monthly_csv"),
    path("reports/monthly/<str:month>/pdf/", views.monthly_pdf, name="monthly_pdf"),
    path("reports/monthly/<str:month>/generate/", views.monthly_generate, name="monthly_generate"),
    path("reports/monthly/<str:month>/<slug:key>/records/", views.monthly_records, name="monthly_records"),
]
