"""Incident import and placement pages; the lead includes these at the site root."""

from django.urls import path

from maps import views_pages

app_name = "maps_pages"

urlpatterns = [
    path("incidents/import/", views_pages.incident_import, name="incident_import"),
    path("incidents/new/", views_pages.incident_new, name="incident_new"),
    path("incidents/imports/<int:import_id>/", views_pages.incident_import_detail, name="incident_import_detail"),
    path("incidents/imports/<int:import_id>/progress/", views_pages.incident_import_progress,
         name="incident_import_progress"),
    path("placement/", views_pages.placement, name="placement"),
    path("placement/adopt/", views_pages.placement_adopt_page, name="placement_adopt"),
]
