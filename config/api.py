"""The one django-ninja API at /api/: apps mount their routers here, errors map here once.

Every error body is {"detail": "..."}; 409s add "allowed" (the transitions that are).
"""

from django.http import HttpRequest
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, ValidationError
from ninja.throttling import AnonRateThrottle

from accounts.auth import API_AUTH
from accounts.exceptions import DomainError, Forbidden, NotVisible, WrongState

api = NinjaAPI(
    title="Vale CCTV API",
    version="1",
    description=(
        "Estate, faults and SLA, evidence requests with chain of custody, maps. "
        "Authenticate with a browser session or `Authorization: Bearer <token>`."
    ),
    auth=API_AUTH,
    urls_namespace="api",
    throttle=[AnonRateThrottle("60/m")],
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    messages = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "payload"))
        messages.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    return api.create_response(
        request, {"detail": "; ".join(messages) or "Invalid input.", "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"detail": "Authentication required: sign in or send a valid bearer token."}, status=401
    )


@api.exception_handler(NotVisible)
def _not_visible(request: HttpRequest, exc: NotVisible):
    return api.create_response(request, {"detail": exc.detail}, status=404)


@api.exception_handler(Forbidden)
def _forbidden(request: HttpRequest, exc: Forbidden):
    return api.create_response(request, {"detail": exc.detail}, status=403)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError):
    body = {"detail": exc.detail}
    if isinstance(exc, WrongState):
        body["allowed"] = exc.allowed
    return api.create_response(request, body, status=exc.status_code)


def _mount_routers() -> None:
    from accounts.api import router as accounts_router
    from cctv.api import health as health_router
    from cctv.api import router as cctv_router
    from config.api_system import router as system_router
    from evidence.api import router as evidence_router
    from maps.api import router as maps_router
    from maps.api_layers import router as maps_layers_router
    from maps.api_placement import router as maps_placement_router
    from maps.api_proposals import router as maps_proposals_router
    from reports.api import router as reports_router
    from reports.review_api import router as reviews_router

    routers: list[tuple[str, Router]] = [
        ("/system/", system_router),
        ("/accounts/", accounts_router),
        ("/", cctv_router),
        ("/health/", health_router),
        ("/evidence/", evidence_router),
        ("/maps/", maps_router),
        ("/maps/", maps_layers_router),
        ("/maps/placement/", maps_placement_router),
        ("/maps/proposals", maps_proposals_router),
        ("/reports/reviews/", reviews_router),
        ("/reports/", reports_router),
    ]
    for prefix, router in routers:
        api.add_router(prefix, router)


_mount_routers()
