from django.urls import path

from maps import views, views_coverage

app_name = "maps"

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("coverage/", views_coverage.coverage_page, name="coverage"),
]
