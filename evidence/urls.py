from django.urls import path

from evidence.views import audit, queue, requests, submit

app_name = "evidence"

urlpatterns = [
    path("evidence/", queue.request_queue, name="request_queue"),
    path("evidence/new/", submit.request_new, name="request_new"),
    path("evidence/audit/", audit.evidence_audit, name="audit"),
    path("evidence/<int:request_id>/", requests.request_detail, name="request_detail"),
    path("evidence/<int:request_id>/move/<slug:move>/", requests.request_move, name="request_move"),
    path("evidence/<int:request_id>/bundle/", requests.request_bundle, name="request_bundle"),
    path("evidence/<int:request_id>/release/", requests.request_release_view, name="request_release"),
    path("evidence/<int:request_id>/identity/", requests.request_identity_verify, name="request_identity_verify"),
]
