"""Camera review pages; the lead includes these at reviews/."""

from django.urls import path

from reports import review_views

app_name = "reviews"

urlpatterns = [
    path("", review_views.review_register_page, name="register"),
    path("cameras/<int:camera_id>/", review_views.review_camera_page, name="camera"),
]
