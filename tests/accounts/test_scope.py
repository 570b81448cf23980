"""Objects of another organisation are not found; visible ones may still be forbidden."""

import pytest

from accounts.exceptions import Forbidden, NotVisible
from accounts.models import User
from accounts.permissions import authorize, can, visible_to
from accounts.services import api_token_create


def test_manager_sees_users_of_own_council_only(cctv_manager, operator, auditor):
    visible = set(visible_to(cctv_manager, User.objects.all()))
    assert auditor in visible and cctv_manager in visible
    assert operator not in visible  # the contractor's staff belong to another organisation


def test_another_organisations_object_is_not_found_rather_than_forbidden(cctv_manager, operator):
    with pytest.raises(NotVisible):
        authorize(cctv_manager, "view", operator)


def test_visible_object_without_the_right_is_forbidden(cctv_manager, auditor):
    with pytest.raises(Forbidden):
        authorize(cctv_manager, "change", auditor)


def test_user_sees_and_revokes_only_their_own_tokens(officer, officer_other_force):
    mine = api_token_create(user=officer, name="niche").token
    theirs = api_token_create(user=officer_other_force, name="gwent").token
    assert can(officer, "revoke", mine)
    assert not can(officer, "revoke", theirs)
    with pytest.raises(NotVisible):
        authorize(officer, "revoke", theirs)


def test_revoking_another_users_token_through_the_api_is_404(client, officer, officer_other_force):
    theirs = api_token_create(user=officer_other_force, name="gwent").token
    client.force_login(officer)
    response = client.post(f"/api/accounts/tokens/{theirs.pk}/revoke")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
