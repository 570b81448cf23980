from django.urls import path

from cctv.views import cameras, contract, faults, network, scheme

app_name = "cctv"

urlpatterns = [
    path("estate/", cameras.estate_dashboard, name="dashboard"),
    path("estate/scheme/", scheme.scheme_edit, name="scheme_edit"),
    path("cameras/", cameras.camera_list, name="camera_list"),
    path("cameras/<int:camera_id>/", cameras.camera_detail, name="camera_detail"),
    path("cameras/<int:camera_id>/edit/", cameras.camera_edit, name="camera_edit"),
    path("cameras/<int:camera_id>/relocate/", cameras.camera_relocate_view, name="camera_relocate"),
    path("cameras/<int:camera_id>/status/", cameras.camera_status_change, name="camera_status"),
    path("cameras/<int:camera_id>/snapshots/", cameras.camera_snapshot_upload, name="camera_snapshot_upload"),
    path("faults/", faults.fault_list, name="fault_list"),
    path("faults/new/", faults.fault_new, name="fault_new"),
    path("faults/<int:fault_id>/", faults.fault_detail, name="fault_detail"),
    path("faults/<int:fault_id>/<slug:move>/", faults.fault_move, name="fault_move"),
    path("network/", network.network_overview, name="network"),
    path("network/links/<int:link_id>/", network.link_detail, name="link_detail"),
    path("network/nodes/<int:node_id>/", network.node_detail, name="node_detail"),
    path("contract/", contract.contract_list, name="contract"),
]
