"""Open data of the public cameras, under /public/ (config/urls.py); no sign-in needed."""

from django.urls import path

from cctv.views import public

app_name = "open_data"

urlpatterns = [
    path("cameras.geojson", public.cameras_geojson, name="cameras_geojson"),
    path("cameras.csv", public.cameras_csv, name="cameras_csv"),
    path("cameras.osm", public.cameras_osm, name="cameras_osm"),
]
