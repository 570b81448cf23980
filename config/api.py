"""The one django-ninja API at /api/: apps mount their routers here, errors map here once.

Every error body is {"detail": "..."}; 409s add "allowed" (the transitions that are).
"""

from django.http import HttpRequest
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.throttling import AnonRateThrottle

from accounts.auth import API_AUTH
from accounts.exceptions import DomainError, Forbidden, NotVisible, WrongState
from config.api_input import ValeParser, inputs_checked


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(ErrorOut):
    errors: list[dict]


class WrongStateOut(ErrorOut):
    allowed: list[str]


# The statuses the handlers below answer with, documented once for every operation that can reach
# them: without this the schema promised only the success status, and a client (or the schema
# fuzzer in tests/security) could not tell a documented refusal from an accident.
ERROR_RESPONSES = {
    400: ("Invalid input: the detail says what to change.", ErrorOut),
    401: ("Authentication required.", ErrorOut),
    403: ("Your role may not do this.", ErrorOut),
    404: ("Not found, or not visible to you.", ErrorOut),
    409: ("Not allowed in the object's current state; `allowed` lists the moves that are.", WrongStateOut),
    413: ("The request body is larger than the service accepts.", ErrorOut),
    422: ("The request does not match the schema; `errors` lists each problem.", ValidationErrorOut),
    503: ("The task queue is unavailable, so the work was not started and nothing was saved (config/queue.py).",
          ErrorOut),
}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}


def _error_statuses(method: str, operation: dict) -> list[int]:
    """401 needs auth; 400/422 need input; 409 needs a change of state. 403 and 404 can follow any lookup."""
    has_input = bool(operation.get("parameters")) or "requestBody" in operation
    statuses = [403, 404]
    if operation.get("security"):
        statuses.append(401)
    if has_input:
        statuses += [400, 422]
    if "requestBody" in operation:
        statuses.append(413)
    if method in UNSAFE_METHODS:
        statuses += [400, 409, 503]
    return sorted(set(statuses))


def errors_document(schema: dict) -> dict:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for _description, model in ERROR_RESPONSES.values():
        components.setdefault(model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}"))
    for path in schema.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(method, operation):
                if status not in responses and str(status) not in responses:
                    description, model = ERROR_RESPONSES[status]
                    responses[status] = {"description": description, "content": {"application/json": {
                        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}
    return schema


class ValeNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        return errors_document(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = ValeNinjaAPI(
    title="Vale CCTV API",
    version="1",
    description=(
        "Estate, faults and SLA, evidence requests with chain of custody, maps. "
        "Authenticate with a browser session or `Authorization: Bearer <token>`."
    ),
    auth=API_AUTH,
    parser=ValeParser(),
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


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    # ninja wraps whatever the body parser raises in "Cannot parse request body"; the parser's own
    # message (ValeParser) says what is wrong, so it is the one returned.
    cause = exc.__cause__
    detail = cause.detail if isinstance(cause, DomainError) else exc.message
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


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
        inputs_checked(router)


_mount_routers()
