"""Scopes that reach through a relation ("request__owner_id") hold for instances as for querysets."""

from accounts.permissions import can, visible_to
from evidence.models import Exhibit
from tests.evidence.factories import EvidenceRequestFactory, ExhibitFactory


def test_exhibit_scope_follows_its_request_for_instances_and_lists(council, officer, officer_other_force, auditor,
                                                                   settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    exhibit = ExhibitFactory(request=EvidenceRequestFactory(owner=council, requester=officer))
    assert can(officer, "view", exhibit) and can(auditor, "view", exhibit)
    assert not can(officer_other_force, "view", exhibit)
    assert list(visible_to(officer, Exhibit.objects.all())) == [exhibit]
    assert list(visible_to(officer_other_force, Exhibit.objects.all())) == []
    assert can(auditor, "view", exhibit) and not can(auditor, "legal_hold", exhibit)
