"""Proposal pages; the lead includes these at maps/proposals/."""

from django.urls import path

from maps import views_proposals

app_name = "maps_proposals"

urlpatterns = [
    path("", views_proposals.proposal_list, name="list"),
    path("<int:proposal_id>/", views_proposals.proposal_detail, name="detail"),
    path("<int:proposal_id>/<slug:move>/", views_proposals.proposal_move, name="move"),
]
