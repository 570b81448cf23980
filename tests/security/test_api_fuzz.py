"""Schema-driven fuzzing of the whole API (issue 9): no 5xx, and every answer is what the schema says.

Schemathesis generates requests from the project's own OpenAPI document (config.api), valid ones and
deliberately invalid ones, and sends them through the production WSGI handler against the populated
world of tests/security/fixtures_fuzz.py, signed in with a bearer token of each main role. Path ids
are drawn half the time from the world's real objects (so the request reaches the code behind the
404) and half the time generated. Every answer must:

* not be a server error;
* have a status code the operation documents, a declared content type, and a body that validates
  against the documented schema of that status (errors are {"detail": ...});
* for a request that breaks the schema, be a 4xx (the API does not quietly accept what it documents
  as invalid).

The run is bounded and derandomized (the same examples on every run, so CI is reproducible):
3,369 requests in about 70 s here. FUZZ_SCALE=5 or 20 runs a deeper search locally.

Every operation of the document is fuzzed as every role; nothing is left out. Two allowances, each
narrow and explained where it is made: the health report may answer its documented 503 (no worker runs
in the tests), and a query value changed only in JSON type is not "invalid input accepted" when the
parameter takes text (on the wire it is text). What the document does not hold is not fuzzed here:
the exhibit upload is a plain Django view (test_hostile_input.py sends it truncated, oversized and
malformed bodies), and pages and vector tiles are checked by the route matrix (test_route_matrix.py).
"""

from __future__ import annotations

import json
import os
import time
import typing

import pydantic
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.mutations import OperatorKind
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.choices import Role
from config.api import api
from config.api_input import operations
from tests.security.fixtures_fuzz import fuzz_world, isolated_request, wsgi_app  # noqa: F401 (fixtures)

# Examples per operation for each role: most for the roles that reach the most code (the manager and
# the administrator pass every permission check); the others are mostly refused after validation,
# which the manager's examples exercise already. FUZZ_SCALE=5 runs five times as many (a longer local run).
EXAMPLES = {Role.CCTV_MANAGER: 10, Role.ADMIN: 6, Role.OPERATOR: 4, Role.POLICE_REQUESTER: 4, Role.ENGINEER: 3,
            Role.AUDITOR: 3, Role.OG_MEMBER: 3}
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
ROLES = list(EXAMPLES)


def _is_text(schema: dict) -> bool:
    options = schema.get("anyOf") or [schema]
    return any(option.get("type") == "string" or (option.get("type") == "array" and _is_text(option.get("items", {})))
               for option in options)


def _only_text_query_values_retyped(case) -> bool:
    """Every negated value is a query parameter that takes text, changed only in its JSON type.

    On the wire every query value is text: the number 0.0 arrives as the category "0.0", an empty object
    as no parameter at all. The server cannot tell such a request from a valid one, so accepting it is
    not accepting invalid input (schemathesis makes the same allowance for numeric parameters).
    """
    meta = case.meta
    mutations = getattr(getattr(meta, "phase", None), "data", None)
    mutations = getattr(mutations, "mutations", None)
    if not mutations:
        return False
    negated = {location for location, component in meta.components.items() if component.mode.is_negative}
    if negated != {ParameterLocation.QUERY}:
        return False
    declared = case.operation.get_parameter_set(ParameterLocation.QUERY)
    for mutation in mutations:
        parameter = declared.get(mutation.parameter) if mutation.parameter else None
        if (mutation.operator != OperatorKind.CHANGE_TYPE or mutation.parameter_location != ParameterLocation.QUERY
                or parameter is None or not _is_text(parameter.definition.get("schema", {}))):
            return False
    return True


def negative_data_rejected(ctx, response, case):
    if _only_text_query_values_retyped(case):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejected]

SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
# The bearer token is ours to send (a real one per role); a generated Authorization header or
# session cookie would only be replaced by it, and then read as "invalid input accepted".
SCHEMA.config.generation.update(with_security_parameters=False)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


def _strategy(operation, ids: dict):
    real = {name: ids[name] for name in _path_names(operation) if name in ids}
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(mode))
        if real:
            strategies.append(operation.as_strategy(mode, path_parameters=real))
    return st.one_of(strategies)


def _path_names(operation) -> list[str]:
    return [parameter.name for parameter in operation.path_parameters]


def _cases() -> list[tuple[str, str]]:
    """Every operation once per role; one that needs no sign-in (the health report) once."""
    cases = []
    for label, operation in sorted(OPERATIONS.items()):
        secured = bool(operation.definition.raw.get("security"))
        cases += [(label, role) for role in (ROLES if secured else ROLES[:1])]
    return cases


def _checks(operation) -> list:
    # The health report answers 503 by design when no Celery worker answers (none runs here), and
    # documents it; every other check still applies to it.
    if operation.path == "/api/system/health":
        return [check for check in CHECKS if check is not not_a_server_error]
    return CHECKS


STATS = {"examples": 0, "seconds": 0.0}


@pytest.mark.parametrize(("label", "role"), _cases())
def test_operation_holds_under_fuzzing(label, role, fuzz_world, wsgi_app, isolated_request, db):  # noqa: F811
    operation = OPERATIONS[label]
    checks = _checks(operation)
    headers = fuzz_world.bearer(role)
    ids = dict(fuzz_world.ids)
    if "{id}" in operation.path:
        ids["id"] = ids["bundle_id"] if operation.method.upper() == "GET" else ids["request_id"]

    @settings(max_examples=max(1, round(EXAMPLES[role] * SCALE)), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation, ids))
    def run(case):
        started = time.perf_counter()
        response = isolated_request(lambda: case.call(app=wsgi_app, headers=headers))
        STATS["examples"] += 1
        STATS["seconds"] += time.perf_counter() - started
        case.validate_response(response, checks=checks, headers=headers)

    run()


def _models(annotation, found: dict) -> None:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        # ninja's own wrappers (parameters, responses) are made on the fly and never named in the document.
        wrapper = annotation.__module__ == "abc"
        if wrapper or annotation not in found.setdefault(annotation.__name__, []):
            if not wrapper:
                found[annotation.__name__].append(annotation)
            for model_field in annotation.model_fields.values():
                _models(model_field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models(argument, found)


def test_no_two_schemas_share_a_name_in_the_openapi_document():
    """ninja files schemas under their class name, so a second FiguresOut silently replaced the first: the
    proposal figures endpoint was documented with the camera review's figures (found by the fuzzer)."""
    found: dict[str, list] = {}
    for _prefix, router in api._routers:
        for operation in operations(router):
            for model in operation.models:
                _models(model, found)
            for model in (operation.response_models or {}).values():
                _models(model, found)
    clashes = {name: [f"{model.__module__}.{model.__qualname__}" for model in models]
               for name, models in found.items()
               if len({json.dumps(model.model_json_schema(), sort_keys=True) for model in models}) > 1}
    assert len(found) > 60 and not clashes, clashes


@pytest.fixture(scope="module", autouse=True)
def fuzz_report(request):
    """The figures for the issue note: examples sent and the time spent in the service answering them."""
    started, examples_before = time.perf_counter(), STATS["examples"]
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and STATS["examples"] > examples_before:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nschema fuzzing: {STATS['examples']} requests over {len(OPERATIONS)} operations and "
                f"{len(ROLES)} roles in {time.perf_counter() - started:.1f} s ({STATS['seconds']:.1f} s in the service)"
            )
