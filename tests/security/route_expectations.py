"""What every page and API operation answers each role: written by hand from DESIGN.md section 1.

This is the table the route matrix (test_route_matrix.py) holds the running service to. It is written
from the design (section 1's people, section 2F's "police see their own organisation's requests only;
contractor engineers their own faults") and the hand-kept role x action table of
tests/accounts/test_role_matrix.py, never read from accounts.permissions.RULES: a change to the rules
that breaks the design must fail here rather than move the expectation with it.

Keys are those the matrix enumerates from the URL resolver and the OpenAPI schema, so a route added
without a line here, or a line left for a route that is gone, fails the matrix:

* PAGES: the route's name as `reverse` knows it (`namespace:name`, or its pattern when it has no name),
  then "METHOD" or "METHOD case" (a case is one way of driving the route, e.g. one workflow move).
* API: "METHOD /api/path" as the OpenAPI schema writes it, then "" or the case.
* ADMIN_SITE: one rule for every pattern of Django's admin site (only administrators get in).

Outcomes, per role of side 1 (the council, its contractor and its force); the second council's manager
and the second force's officer are held to the same line on their own side's objects:

* ok: 2xx, or a redirect that is neither to a sign-in page nor back with an error message;
* empty: 200 with an empty list (a list the role may call but in which it may see nothing);
* not_found: 404 (not the role's to see at all: "not found", never "forbidden");
* invalid: 400/409/413/415/422 or a redirect back with an error (the permission check was passed and a
  rule of the service refused, e.g. an administrator belongs to no council to record an incident for);
* login: sent to sign in (a redirect to the sign-in page for pages, 401 for the API);
* every other role: 403.

`cross` is what a role that succeeds on its own organisation's object gets for the same route with
another organisation's object (default: 404). Administrators see every organisation, so they get what
they get on their own side; a role refused on its own side is refused on the other side too (403 or 404).
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.choices import Role

M, O, G, P, E, A, D = (
    Role.CCTV_MANAGER, Role.OPERATOR, Role.OG_MEMBER, Role.POLICE_REQUESTER,
    Role.ENGINEER, Role.AUDITOR, Role.ADMIN,
)
ROLES = frozenset({M, O, G, P, E, A, D})
ALL = ROLES
STAFF = ROLES - {P}

OK, EMPTY, NOT_FOUND, FORBIDDEN, INVALID, LOGIN = "ok", "empty", "404", "403", "invalid", "login"
SERVER_ERROR = "5xx"


def _set(roles) -> frozenset[str]:
    return frozenset(roles)


@dataclass(frozen=True)
class Expect:
    ok: frozenset[str] = frozenset()
    empty: frozenset[str] = frozenset()
    not_found: frozenset[str] = frozenset()
    invalid: frozenset[str] = frozenset()
    login: frozenset[str] = frozenset()
    anonymous: str = LOGIN
    cross: frozenset[str] = frozenset({NOT_FOUND})

    def outcome(self, role: str) -> str:
        for outcome, roles in ((OK, self.ok), (EMPTY, self.empty), (NOT_FOUND, self.not_found),
                               (INVALID, self.invalid), (LOGIN, self.login)):
            if role in roles:
                return outcome
        return FORBIDDEN

    def cross_outcomes(self, role: str) -> frozenset[str]:
        """What `role` may get for the same route with another organisation's object."""
        own = self.outcome(role)
        if role == D or own == LOGIN:
            return frozenset({own})
        if own == OK:
            return self.cross
        # Refused (or given nothing) on its own side: refused on the other too, by whichever check the route
        # makes first, or given the same nothing.
        return frozenset({own, FORBIDDEN, NOT_FOUND}) | (self.cross - {OK})


def expect(ok=(), *, empty=(), not_found=(), invalid=(), login=(), anonymous=LOGIN, cross=(NOT_FOUND,)) -> Expect:
    return Expect(ok=_set(ok), empty=_set(empty), not_found=_set(not_found), invalid=_set(invalid),
                  login=_set(login), anonymous=anonymous, cross=_set(cross))


# Open to everyone, signed in or not.
OPEN = expect(ALL, anonymous=OK)
# Creating something that names another organisation's object in its body: the object is not found
# (404) or the input is refused as naming nothing the user can see (400/422).
BODY_CROSS = (NOT_FOUND, INVALID)

# --- pages ------------------------------------------------------------------------------------------

PAGES: dict[str, dict[str, Expect]] = {
    "home": {"GET": expect(ALL)},
    "healthz": {"GET": OPEN},
    "accounts:login": {"GET": OPEN},
    # Signing out is open to anyone, and ends on the sign-in page.
    "accounts:logout": {"POST": expect(login=ALL)},
    # The code step belongs to a sign-in in progress; a session already signed in is sent back to sign in.
    "accounts:second_factor": {"GET": expect(login=ALL)},
    "accounts:two_factor_enrol": {"GET": expect(ALL)},
    "accounts:security": {"GET": expect(ALL)},
    # Renewing recovery codes needs an authenticator, which none of the matrix's people has set up.
    "accounts:recovery_codes_renew": {"POST": expect(invalid=ALL)},
    "accounts:sessions_end": {"POST": expect(ALL)},
    # Everyone may have API tokens (test_role_matrix: accounts.apitoken add ALL); only their own.
    "accounts:tokens": {"GET": expect(ALL), "POST": expect(ALL)},
    "accounts:token_revoke": {"POST": expect(ALL)},
    # The access log is for the auditor/DPO, the manager and admins.
    "accounts:access_log": {"GET": expect({M, A, D})},
    # The estate dashboard shows faults and SLA: the estate's staff, not police.
    "cctv:dashboard": {"GET": expect(STAFF)},
    # Everyone may see where cameras are; the register is the CCTV manager's to change.
    "cctv:camera_list": {"GET": expect(ALL)},
    "cctv:camera_detail": {"GET": expect(ALL)},
    "cctv:camera_edit": {"GET": expect({M, D}), "POST": expect({M, D})},
    "cctv:camera_relocate": {"POST": expect({M, D})},
    "cctv:camera_status": {"POST": expect({M, O, D})},
    "cctv:camera_snapshot_upload": {"POST": expect({M, D})},
    # Faults: operators log them, engineers update those assigned to them; not for police.
    "cctv:fault_list": {"GET": expect(STAFF)},
    "cctv:fault_new": {"GET": expect({M, O, D}), "POST": expect({M, O, D})},
    "cctv:fault_detail": {"GET": expect(STAFF, not_found={P})},
    "cctv:fault_move": {
        "POST acknowledge": expect({M, O, E, D}, not_found={P}),
        "POST fix": expect({M, O, E, D}, not_found={P}),
        "POST close": expect({M, O, D}, not_found={P}),
        "POST cancel": expect({M, O, D}, not_found={P}),
        "POST assign": expect({M, O, D}, not_found={P}),
        "POST note": expect({M, O, E, D}, not_found={P}),
    },
    # Network routes are not for police.
    "cctv:network": {"GET": expect(STAFF)},
    "cctv:link_detail": {"GET": expect(STAFF, not_found={P})},
    "cctv:node_detail": {"GET": expect(STAFF, not_found={P})},
    # Contract and SLA: the manager owns it; operator, OG and auditor read it.
    "cctv:contract": {"GET": expect({M, O, G, A, D})},
    # The public statement about a council's scheme: the estate's staff read it, the manager writes it.
    "cctv:scheme_edit": {"GET": expect(STAFF), "POST": expect({M, D})},
    # Evidence: police see their own force's requests; engineers and the Operational Group none.
    "evidence:request_queue": {"GET": expect({M, O, P, A, D})},
    "evidence:request_new": {"GET": expect({M, O, P, D}), "POST": expect({M, O, P, D}, cross=BODY_CROSS)},
    "evidence:audit": {"GET": expect({M, A, D})},
    "evidence:request_detail": {"GET": expect({M, O, P, A, D}, not_found={G, E})},
    "evidence:request_move": {
        "POST accept": expect({M, O, D}, not_found={G, E}),
        "POST withdraw": expect({M, P, D}, not_found={G, E}),
        "POST refuse": expect({M, D}, not_found={G, E}),
    },
    # A SAR waits for staff to see the requester's proof of identity (police never see a SAR).
    "evidence:request_identity_verify": {"POST": expect({M, O, D}, not_found={G, E, P})},
    "evidence:request_bundle": {"POST": expect({M, O, D}, not_found={G, E})},
    # The CCTV manager approves every release.
    "evidence:request_release": {"POST": expect({M, D}, not_found={G, E})},
    "api/evidence/exhibits/upload/<int:request_id>/": {"POST": expect({M, O, D}, not_found={G, E})},
    "exhibit_upload": {"POST": expect({M, O, D}, not_found={G, E})},
    # Maps: everyone may see the map and incidents; the links layer is the network's (not police).
    "maps_tiles:tile": {
        "GET incidents": expect(ALL),
        "GET cameras": expect(ALL),
        "GET views": expect(ALL),
        "GET links": expect(STAFF),
    },
    "maps:map": {"GET": expect(ALL)},
    "maps:coverage": {"GET": expect(ALL)},
    # Police open-data imports: the manager; their records are for all staff and belong to no council.
    "maps_pages:incident_import": {"GET": expect({M, D}), "POST": expect({M, D})},
    "maps_pages:incident_import_detail": {"GET": expect(STAFF)},
    "maps_pages:incident_import_progress": {"GET": expect(STAFF)},
    # Local incidents are recorded for the recorder's council; an administrator has none.
    "maps_pages:incident_new": {"GET": expect({M, D}), "POST": expect({M}, invalid={D})},
    # Placement suggestions feed proposals: those who make proposals (not police, engineers, auditors).
    "maps_pages:placement": {"GET": expect({M, O, G, D})},
    # The page names no council: an administrator, who has none, is asked to choose one.
    "maps_pages:placement_adopt": {"POST": expect({M, O, G}, invalid={D})},
    # Proposals are decided by the Operational Group and applied by the estate's owner; never police.
    "maps_proposals:list": {"GET": expect({M, O, G, A, D})},
    "maps_proposals:detail": {"GET": expect({M, O, G, A, D}, not_found={P, E})},
    "maps_proposals:move": {
        "POST submit": expect({M, O, G, D}, not_found={P, E}),
        "POST approve": expect({G, D}, not_found={P, E}),
        "POST reject": expect({G, D}, not_found={P, E}),
        "POST apply": expect({M, D}, not_found={P, E}),
    },
    # The annual camera review: manager, OG (and the auditor reads).
    "reviews:register": {"GET": expect({M, G, A, D})},
    "reviews:camera": {"GET": expect({M, G, A, D}), "POST": expect({M, G, D})},
    # The monthly report is the Operational Group's; police and engineers get none of it.
    "reports:monthly_list": {"GET": expect({M, O, G, A, D})},
    "reports:monthly": {"GET": expect({M, O, G, A, D})},
    "reports:monthly_csv": {"GET": expect({M, O, G, A, D})},
    "reports:monthly_pdf": {"GET": expect({M, O, G, A, D})},
    "reports:monthly_records": {"GET": expect({M, O, G, A, D})},
    "reports:monthly_generate": {"POST": expect({M, D})},
    # The OpenAPI document and its docs describe the API and hold no data.
    "api:openapi-json": {"GET": OPEN},
    "api:openapi-view": {"GET": OPEN},
    # ninja's root has no page of its own.
    "api:api-root": {"GET": expect(not_found=ALL, anonymous=NOT_FOUND)},
    # The public area (DESIGN 2F): the transparency page, the signing key, open data, the online SAR form.
    "public:page": {"GET": OPEN},
    "public:signing_key": {"GET": OPEN},
    "open_data:cameras_geojson": {"GET": OPEN},
    "open_data:cameras_csv": {"GET": OPEN},
    "open_data:cameras_osm": {"GET": OPEN},
    "public_sar:start": {"GET": OPEN},
    "public_sar:sent": {"GET": OPEN},
    "public_sar:form": {"GET": OPEN},
    # The admin site's sign-in is ours (password, then the second factor): everyone is sent there.
    "admin_login": {"GET": expect(login=ALL)},
}

# --- the API ----------------------------------------------------------------------------------------

API: dict[str, dict[str, Expect]] = {
    "GET /api/system/health": {"": OPEN},
    "GET /api/accounts/me": {"": expect(ALL)},
    "GET /api/accounts/tokens": {"": expect(ALL)},
    "POST /api/accounts/tokens": {"": expect(ALL)},
    "POST /api/accounts/tokens/{token_id}/revoke": {"": expect(ALL)},
    # Cameras: everyone sees them; the manager registers and changes; the status is also the operator's.
    "GET /api/cameras": {"": expect(ALL)},
    # An administrator belongs to no council, so has none to register a camera for (400, use the admin site).
    "POST /api/cameras": {"": expect({M}, invalid={D})},
    "GET /api/cameras/geojson": {"": expect(ALL)},
    "GET /api/cameras/{camera_id}": {"": expect(ALL)},
    "PATCH /api/cameras/{camera_id}": {"": expect({M, D})},
    "DELETE /api/cameras/{camera_id}": {"": expect({D})},
    "POST /api/cameras/{camera_id}/relocate": {"": expect({M, D})},
    "POST /api/cameras/{camera_id}/status": {"": expect({M, O, D})},
    "GET /api/cameras/{camera_id}/timeline": {"": expect(ALL)},
    "GET /api/cameras/{camera_id}/history": {"": expect(ALL)},
    "GET /api/cameras/{camera_id}/snapshots": {"": expect(ALL)},
    "POST /api/cameras/{camera_id}/snapshots": {"": expect({M, D})},
    "GET /api/cameras/{camera_id}/snapshots/{snapshot_id}/{variant}": {"": expect(ALL)},
    # The network: not for police (403: the role may not see the network at all).
    "GET /api/network/nodes": {"": expect(STAFF)},
    "POST /api/network/nodes": {"": expect({M, D}, cross=BODY_CROSS)},
    "GET /api/network/nodes/geojson": {"": expect(STAFF)},
    "GET /api/network/nodes/{node_id}": {"": expect(STAFF)},
    "PATCH /api/network/nodes/{node_id}": {"": expect({M, D})},
    "POST /api/network/nodes/{node_id}/status": {"": expect({M, D})},
    "GET /api/network/nodes/{node_id}/impact": {"": expect(STAFF)},
    "GET /api/network/links": {"": expect(STAFF)},
    "POST /api/network/links": {"": expect({M, D}, cross=BODY_CROSS)},
    "GET /api/network/links/geojson": {"": expect(STAFF)},
    "GET /api/network/links/{link_id}": {"": expect(STAFF)},
    "PATCH /api/network/links/{link_id}": {"": expect({M, D})},
    "POST /api/network/links/{link_id}/status": {"": expect({M, D})},
    "GET /api/network/links/{link_id}/impact": {"": expect(STAFF)},
    "GET /api/network/cameras/{camera_id}/trace": {"": expect(STAFF)},
    # Contract and SLA: lists show a role that may not read contracts nothing at all.
    "GET /api/faults/contracts": {"": expect({M, O, G, A, D}, empty={P, E})},
    "GET /api/faults/contracts/{contract_id}": {"": expect({M, O, G, A, D}, not_found={P, E})},
    "GET /api/faults": {"": expect(STAFF, empty={P})},
    "POST /api/faults": {"": expect({M, O, D}, cross=BODY_CROSS)},
    "GET /api/faults/{fault_id}": {"": expect(STAFF, not_found={P})},
    "POST /api/faults/{fault_id}/acknowledge": {"": expect({M, O, E, D}, not_found={P})},
    "POST /api/faults/{fault_id}/fix": {"": expect({M, O, E, D}, not_found={P})},
    "POST /api/faults/{fault_id}/close": {"": expect({M, O, D}, not_found={P})},
    "POST /api/faults/{fault_id}/cancel": {"": expect({M, O, D}, not_found={P})},
    "POST /api/faults/{fault_id}/assign": {"": expect({M, O, D}, not_found={P})},
    "POST /api/faults/{fault_id}/notes": {"": expect({M, O, E, D}, not_found={P})},
    # Estate import is adding cameras (the manager's); exports hold only the cameras a role may see.
    "POST /api/estate/import": {"": expect({M, D}, cross=(NOT_FOUND, FORBIDDEN))},
    "GET /api/estate/export.csv": {"": expect(ALL)},
    "GET /api/estate/export.geojson": {"": expect(ALL)},
    "GET /api/estate/export.osm": {"": expect(ALL)},
    # The health feed is pushed under an operator's token; availability is judged against the contract.
    # Each event is answered on its own: another council's camera is an "unknown camera" error in a 200.
    "POST /api/health/events": {"": expect({M, O, D}, cross=(INVALID,))},
    "GET /api/health/availability": {"": expect({M, O, G, A, D})},
    # Evidence requests.
    "GET /api/evidence/requests": {"": expect({M, O, P, A, D}, empty={G, E})},
    "POST /api/evidence/requests": {"": expect({M, O, P, D}, cross=BODY_CROSS)},
    # Which cameras could have seen a place: any role that may see cameras, of the councils it can see.
    "POST /api/evidence/requests/suggest": {"": expect(ALL, cross=(EMPTY, INVALID))},
    "GET /api/evidence/requests/{request_id}": {"": expect({M, O, P, A, D}, not_found={G, E})},
    "POST /api/evidence/requests/{request_id}/moves/{move}": {
        "accept": expect({M, O, D}, not_found={G, E}),
        "withdraw": expect({M, P, D}, not_found={G, E}),
        "refuse": expect({M, D}, not_found={G, E}),
    },
    # SAR deadlines are managed by the CCTV manager; a SAR is never a police request, so police never see one.
    "POST /api/evidence/requests/{request_id}/sar/pause": {"": expect({M, D}, not_found={G, E, P})},
    "POST /api/evidence/requests/{request_id}/sar/resume": {"": expect({M, D}, not_found={G, E, P})},
    "POST /api/evidence/requests/{request_id}/sar/extend": {"": expect({M, D}, not_found={G, E, P})},
    "POST /api/evidence/requests/{request_id}/identity/verify": {"": expect({M, O, D}, not_found={G, E, P})},
    # Exhibits are seen by those who see the request; footage is downloaded by those on the case and,
    # once released, by the requesting force; copies, redactions and legal holds are staff work.
    "GET /api/evidence/exhibits/": {"": expect({M, O, P, A, D}, not_found={G, E})},
    "GET /api/evidence/exhibits/{exhibit_id}": {"": expect({M, O, P, A, D}, not_found={G, E})},
    "GET /api/evidence/exhibits/{exhibit_id}/download": {"": expect({M, O, P, D}, not_found={G, E})},
    "POST /api/evidence/exhibits/{exhibit_id}/working-copy": {"": expect({M, O, D}, not_found={G, E})},
    "POST /api/evidence/exhibits/{exhibit_id}/redact": {"": expect({M, O, D}, not_found={G, E})},
    "POST /api/evidence/exhibits/{exhibit_id}/legal-hold": {"": expect({M, D}, not_found={G, E})},
    # Custody: the log for those who see the request; verifying it for staff and the auditor.
    "GET /api/evidence/custody/{request_id}": {"": expect({M, O, P, A, D}, not_found={G, E})},
    "GET /api/evidence/custody/{request_id}/verify": {"": expect({M, O, A, D}, not_found={G, E})},
    # The public key is published (DESIGN 2C); the disclosure log is the auditor's and the manager's.
    "GET /api/evidence/bundles/public-key": {"": expect(ALL)},
    "GET /api/evidence/bundles/disclosures": {"": expect({M, A, D})},
    "POST /api/evidence/bundles/{id}": {"": expect({M, O, D}, not_found={G, E})},
    "GET /api/evidence/bundles/{id}": {"": expect({M, O, P, A, D}, not_found={G, E})},
    # A bundle: its handlers may fetch it to check it; the force once it was released to them.
    "GET /api/evidence/bundles/{bundle_id}/download": {"": expect({M, O, P, D}, not_found={G, E})},
    "POST /api/evidence/bundles/{request_id}/release": {"": expect({M, D}, not_found={G, E})},
    # Incidents are public data; local records and imports are the manager's.
    "POST /api/maps/incidents/import": {"": expect({M, D})},
    "GET /api/maps/incidents/imports/{import_id}": {"": expect(STAFF)},
    "GET /api/maps/incidents": {"": expect(ALL)},
    # A local incident is recorded for the recorder's council; an administrator has none (400).
    "POST /api/maps/incidents": {"": expect({M}, invalid={D})},
    "GET /api/maps/incidents/{incident_id}": {"": expect(ALL)},
    "PATCH /api/maps/incidents/{incident_id}": {"": expect({M, D})},
    "GET /api/maps/coverage": {"": expect(ALL)},
    "GET /api/maps/coverage/cameras": {"": expect(ALL)},
    "GET /api/maps/coverage/hotspots": {"": expect(ALL)},
    "GET /api/maps/layers/incidents": {"": expect(ALL)},
    "GET /api/maps/layers/incident-grid": {"": expect(ALL)},
    # Placement and proposals: made by manager, operator and OG; decided by OG; applied by the manager.
    "POST /api/maps/placement/suggest": {"": expect({M, O, G, D})},
    "POST /api/maps/placement/adopt": {"": expect({M, O, G, D}, cross=BODY_CROSS)},
    "POST /api/maps/proposals/preview": {"": expect({M, O, G, D}, cross=BODY_CROSS)},
    "GET /api/maps/proposals": {"": expect({M, O, G, A, D})},
    "POST /api/maps/proposals": {"": expect({M, O, G, D}, cross=BODY_CROSS)},
    "GET /api/maps/proposals/{proposal_id}": {"": expect({M, O, G, A, D}, not_found={P, E})},
    "PATCH /api/maps/proposals/{proposal_id}": {"": expect({M, O, G, D}, not_found={P, E})},
    "DELETE /api/maps/proposals/{proposal_id}": {"": expect({M, O, G, D}, not_found={P, E})},
    "POST /api/maps/proposals/{proposal_id}/items": {"": expect({M, O, G, D}, not_found={P, E})},
    "PATCH /api/maps/proposals/{proposal_id}/items/{item_id}": {"": expect({M, O, G, D}, not_found={P, E})},
    "DELETE /api/maps/proposals/{proposal_id}/items/{item_id}": {"": expect({M, O, G, D}, not_found={P, E})},
    "GET /api/maps/proposals/{proposal_id}/figures": {"": expect({M, O, G, A, D}, not_found={P, E})},
    "POST /api/maps/proposals/{proposal_id}/submit": {"": expect({M, O, G, D}, not_found={P, E})},
    "POST /api/maps/proposals/{proposal_id}/approve": {"": expect({G, D}, not_found={P, E})},
    "POST /api/maps/proposals/{proposal_id}/reject": {"": expect({G, D}, not_found={P, E})},
    "POST /api/maps/proposals/{proposal_id}/apply": {"": expect({M, D}, not_found={P, E})},
    # Reviews and the monthly report.
    "GET /api/reports/reviews/register": {"": expect({M, G, A, D})},
    "GET /api/reports/reviews/cameras/{camera_id}/figures": {"": expect({M, G, A, D})},
    "GET /api/reports/reviews/cameras/{camera_id}/reviews": {"": expect({M, G, A, D})},
    "POST /api/reports/reviews/cameras/{camera_id}/reviews": {"": expect({M, G, D})},
    # The published summary of a year's reviews: read with the reviews; published by the manager.
    "GET /api/reports/reviews/summaries": {"": expect({M, G, A, D})},
    "POST /api/reports/reviews/summaries": {"": expect({M, D}, cross=BODY_CROSS)},
    "GET /api/reports/monthly/{month}": {"": expect({M, O, G, A, D})},
}

# --- the admin site ---------------------------------------------------------------------------------

# Every pattern of Django's admin site: administrators get in (the page, or a 404/405 of the admin's own
# for an object or method that is not there); everyone else is sent to sign in or refused.
ADMIN_SITE = expect({D}, login=ROLES - {D})
# Patterns of the admin site that answer otherwise, by name.
ADMIN_SITE_EXCEPTIONS: dict[str, Expect] = {
    # Shadowed by our own sign-in ("admin_login" above): everyone is sent to sign in.
    "admin:login": expect(login=ALL),
    # Django sends anyone who is not staff from the admin's sign-out to the admin's index, which asks them
    # to sign in (the matrix counts that redirect as "login"); an administrator signs out with a POST.
    # The access log and django-axes' records are written by the service, never by hand: the admin shows
    # them read-only, so even an administrator may not add or delete one (403).
    "admin:accounts_accesslogentry_add": expect(login=ROLES - {D}),
    "admin:accounts_accesslogentry_delete": expect(login=ROLES - {D}),
    "admin:axes_accessattempt_add": expect(login=ROLES - {D}),
    "admin:axes_accesslog_add": expect(login=ROLES - {D}),
    "admin:axes_accessfailurelog_add": expect(login=ROLES - {D}),
    # Autocomplete answers a widget's query; asked with none, it refuses even an administrator (403).
    "admin:autocomplete": expect(login=ROLES - {D}),
}
