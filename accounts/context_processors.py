from accounts.permissions import role_may

# (label, url name, model label, action): a link shows only to roles that may use it.
NAVIGATION = [
    ("Home", "home", None, None),
    ("Estate", "cctv:dashboard", "cctv.fault", "view"),
    ("Map", "maps:map", "maps.incident", "view"),
    ("Coverage", "maps:coverage", "maps.incident", "view"),
    ("Proposals", "maps_proposals:list", "maps.proposal", "view"),
    ("Placement", "maps_pages:placement", "maps.proposal", "suggest"),
    ("Import incidents", "maps_pages:incident_import", "maps.incidentimport", "add"),
    ("Record an incident", "maps_pages:incident_new", "maps.incident", "add"),
    ("Cameras", "cctv:camera_list", "cctv.camera", "view"),
    ("Faults", "cctv:fault_list", "cctv.fault", "view"),
    ("Network", "cctv:network", "cctv.link", "view"),
    ("Contract", "cctv:contract", "cctv.contract", "view"),
    ("Public statement", "cctv:scheme_edit", "cctv.scheme", "change"),
    ("Monthly report", "reports:monthly_list", "reports.monthlyreport", "view"),
    ("Camera reviews", "reviews:register", "reports.camerareview", "view"),
    ("Evidence", "evidence:request_queue", "evidence.evidencerequest", "view"),
    ("Evidence audit", "evidence:audit", "evidence.disclosure", "view"),
    ("Access log", "accounts:access_log", "accounts.accesslogentry", "view"),
    ("API tokens", "accounts:tokens", "accounts.apitoken", "view"),
    ("API docs", "api:openapi-view", None, None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        (title, url_name)
        for title, url_name, label, action in NAVIGATION
        if label is None or role_may(user, action, label)
    ]
    return {"nav_items": items}
