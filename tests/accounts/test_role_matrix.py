"""Who may do what, as DESIGN.md section 1 says: one parametrised matrix.

The expectations are written out here by hand from the design, not read from
accounts.permissions.RULES, so a change to the rules that breaks the design fails.
"""

import pytest

from accounts.choices import Role
from accounts.permissions import role_may
from cctv.models import Fault

M, O, G, P, E, A, D = (
    Role.CCTV_MANAGER, Role.OPERATOR, Role.OG_MEMBER, Role.POLICE_REQUESTER,
    Role.ENGINEER, Role.AUDITOR, Role.ADMIN,
)
ALL = {M, O, G, P, E, A, D}

# (model label, action) -> the roles that may, per DESIGN.md section 1.
EXPECTED = {
    # The estate register is the CCTV manager's; everyone may see where cameras are.
    ("cctv.camera", "view"): ALL,
    ("cctv.camera", "add"): {M, D},
    ("cctv.camera", "change"): {M, D},
    ("cctv.camera", "change_status"): {M, O, D},
    ("cctv.camera", "delete"): {D},
    # Network routes are not for police.
    ("cctv.link", "view"): ALL - {P},
    ("cctv.link", "change"): {M, D},
    ("cctv.node", "view"): ALL - {P},
    # Contract and SLA figures: manager owns; operator, OG and auditor read.
    ("cctv.contract", "view"): {M, O, G, A, D},
    ("cctv.contract", "change"): {M, D},
    # Faults: operators log them, engineers update the ones assigned to them.
    ("cctv.fault", "view"): ALL - {P},
    ("cctv.fault", "add"): {M, O, D},
    ("cctv.fault", "change"): {M, O, E, D},
    ("cctv.fault", "close"): {M, O, D},
    ("cctv.fault", "assign"): {M, O, D},
    # The health feed is pushed by the monitoring software under an operator's token.
    ("cctv.healthfeed", "post"): {M, O, D},
    # Audit: the access log is for the auditor/DPO (and the manager, and admins).
    ("accounts.accesslogentry", "view"): {M, A, D},
    ("accounts.user", "add"): {D},
    ("accounts.user", "view"): {M, A, D},
    ("accounts.apitoken", "add"): ALL,
    # Evidence: police see their own force's requests; engineers and the Operational Group none.
    ("evidence.evidencerequest", "view"): {M, O, P, A, D},
    ("evidence.evidencerequest", "add"): {M, O, P, D},
    ("evidence.evidencerequest", "release"): {M, D},  # the CCTV manager approves every release
    ("evidence.evidencerequest", "withdraw"): {M, P, D},
    ("evidence.evidencerequest", "upload_exhibit"): {M, O, D},
    ("evidence.evidencerequest", "verify_custody"): {M, O, A, D},
    ("evidence.disclosure", "view"): {M, A, D},
    # Maps: incidents are public data; proposals are decided by the Operational Group.
    ("maps.incident", "view"): ALL,
    ("maps.incidentimport", "add"): {M, D},
    ("maps.proposal", "view"): ALL - {P, E},
    ("maps.proposal", "decide"): {G, D},
    ("maps.proposal", "apply"): {M, D},
}

CASES = [(label, action, role, role in allowed) for (label, action), allowed in EXPECTED.items() for role in ALL]


@pytest.mark.parametrize(("label", "action", "role", "expected"), CASES,
                         ids=[f"{r}-{a}-{label}" for label, a, r, _ in CASES])
def test_role_may_matches_the_design(people, label, action, role, expected):
    assert role_may(people[role], action, label) is expected


def test_auditor_changes_nothing_but_their_own_api_tokens(people):
    auditor = people[A]
    reads = {"view", "view_custody", "verify_custody"}
    changes = {
        key for key in EXPECTED
        if key[1] not in reads and key[0] != "accounts.apitoken" and role_may(auditor, key[1], key[0])
    }
    assert changes == set()


def test_inactive_or_anonymous_user_may_do_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    manager = people[M]
    manager.is_active = False
    assert not role_may(manager, "view", "cctv.camera")
    assert not role_may(AnonymousUser(), "view", "cctv.camera")


# Pages and API routes that exist now: (method, path) -> roles that get 200.
ROUTES = {
    ("get", "/"): ALL,
    ("get", "/accounts/tokens/"): ALL,
    ("get", "/accounts/access-log/"): {M, A, D},
    ("get", "/api/accounts/me"): ALL,
    ("get", "/api/accounts/tokens"): ALL,
    ("get", "/estate/"): ALL - {P},
    ("get", "/cameras/"): ALL,
    ("get", "/faults/"): ALL - {P},
    ("get", "/network/"): ALL - {P},
    ("get", "/contract/"): {M, O, G, A, D},
}
ROUTE_CASES = [(method, path, role, role in allowed) for (method, path), allowed in ROUTES.items() for role in ALL]


@pytest.mark.parametrize(("method", "path", "role", "allowed"), ROUTE_CASES,
                         ids=[f"{r}-{m}-{p}" for m, p, r, _ in ROUTE_CASES])
def test_each_route_answers_each_role_as_designed(client, people, method, path, role, allowed):
    client.force_login(people[role])
    response = getattr(client, method)(path)
    assert response.status_code == (200 if allowed else 403), response.content[:300]


@pytest.mark.parametrize("path", ["/", "/accounts/tokens/", "/accounts/access-log/"])
def test_anonymous_visitor_is_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", ["/api/accounts/me", "/api/accounts/tokens"])
def test_anonymous_api_call_gets_401_with_a_detail(client, db, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_only_engineers_may_be_assigned_faults(people):
    from accounts.permissions import may_be_assigned

    assert [role for role in ALL if may_be_assigned(people[role], Fault)] == [E]


def test_only_administrators_reach_the_admin_site(client, people):
    for role, user in people.items():
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == (200 if role == D else 302), role
