"""The streamed exhibit upload, included by config/urls.py at api/evidence/exhibits/upload/.

It is a plain Django view beside the ninja API (see evidence.views_upload for why).
"""

from django.urls import path

from evidence import views_upload

urlpatterns = [
    path("<int:request_id>", views_upload.exhibit_upload, name="exhibit_upload"),
    path("<int:request_id>/", views_upload.exhibit_upload),
]
