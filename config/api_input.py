"""What the API refuses before pydantic reads a request, each with a 400 or 422 that says what is wrong.

Found by the schema fuzzer (tests/security/test_api_fuzz.py) and the hostile-input suite:

* NUL in any text (query, form field, JSON) reached PostgreSQL, which cannot store it: a 500.
* A JSON body in UTF-16 was read (json.loads guesses the encoding of bytes); RFC 8259 says UTF-8.
* A parameter given twice was silently read as its last value.
* ninja's Schema reads its input by attribute, so `[]` or `5` sent for an all-optional body (a PATCH,
  a fault's fix note) validated as `{}` and the move was made on a body that meant nothing.
* pydantic's lax mode converts between types: `"owner_id": true` chose organisation 1, `"on": "t"`
  put a legal hold on, a date of `0.0` in a query string was 1 January 1970.
* Dates in year 1 or 9999 overflowed as soon as they were moved to London time or had a deadline
  added: a 500. The service takes dates between MIN_YEAR and MAX_YEAR.
"""

from __future__ import annotations

import json
import re
import types
import typing

import pydantic
from django.http import HttpRequest
from ninja import Router
from ninja.errors import ValidationError
from ninja.parser import Parser

from accounts.exceptions import InvalidInput

MIN_YEAR, MAX_YEAR = 1900, 2999
ISO_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}")
DATE_FORMATS = {"date": "a date like 2026-03-01", "date-time": "a date and time like 2026-03-01T22:15:00Z"}
# JSON's types in the order to test them: a bool is also an int to Python.
JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (type(None), "null"),
              (dict, "object"), (list, "array"))


def _nul_free(value, *, where: str):
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(f"{where} contains a NUL character (\\u0000), which no text field can hold.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _nul_free(key, where=where)
            _nul_free(item, where=where)
    elif isinstance(value, list):
        for item in value:
            _nul_free(item, where=where)
    return value


class ValeParser(Parser):
    """JSON bodies, query strings and form fields."""

    def parse_body(self, request: HttpRequest):
        try:
            data = json.loads(request.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidInput("The request body is not UTF-8 text; send JSON encoded as UTF-8.") from None
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"The request body is not valid JSON: {exc.msg} at line {exc.lineno}, "
                               f"column {exc.colno}.") from None
        except RecursionError:
            raise InvalidInput("The request body is nested too deeply to read; no request needs that.") from None
        return _nul_free(data, where="The request body")

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        repeated = sorted(key for key in data if key not in list_fields and len(data.getlist(key)) > 1)
        if repeated:
            raise InvalidInput(f"The parameter {repeated[0]!r} is given more than once; give it once.")
        parsed = super().parse_querydict(data, list_fields, request)
        for name, value in parsed.items():
            _nul_free(name, where="A parameter name")
            _nul_free(value, where=f"The parameter {name!r}")
        return parsed


# --- checks against the operation's own JSON schema ------------------------------------------------

def _json_type(value) -> str:
    return next(name for kind, name in JSON_TYPES if isinstance(value, kind))


def _resolved(schema: dict, defs: dict) -> dict:
    while "$ref" in schema or len(schema.get("allOf", ())) == 1:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in schema else schema["allOf"][0]
    return schema


def _type_problem(options: list[dict], value) -> str | None:
    if not all("type" in option for option in options):
        return None  # an option that takes any value, or a bare enum: nothing to say about the type
    allowed = set()
    for option in options:
        allowed |= set(option["type"]) if isinstance(option["type"], list) else {option["type"]}
    sent = _json_type(value)
    if (sent in allowed or (sent == "integer" and "number" in allowed)
            or (sent == "number" and "integer" in allowed and value.is_integer())):
        return None
    return f"must be {' or '.join(sorted(allowed))}, not {sent}"


def _date_problem(options: list[dict], value) -> str | None:
    formats = [option["format"] for option in options if option.get("format") in DATE_FORMATS]
    if not formats or not isinstance(value, str):
        return None
    match = ISO_DATE.match(value.strip())
    if match is None:
        return f"must be {DATE_FORMATS[formats[0]]}"
    if not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        return f"must be between the years {MIN_YEAR} and {MAX_YEAR}"
    return None


def input_problem(schema: dict, value, defs: dict, where: tuple = (), *, types_checked: bool = True):
    """(where, what is wrong) for the first value the schema does not allow, if any."""
    schema = _resolved(schema, defs)
    options = [_resolved(option, defs) for option in schema.get("anyOf") or schema.get("oneOf") or [schema]]
    problem = (_type_problem(options, value) if types_checked else None) or _date_problem(options, value)
    if problem:
        return where, problem
    for option in options:
        if isinstance(value, dict) and "properties" in option:
            for key, item in value.items():
                if key in option["properties"]:
                    found = input_problem(option["properties"][key], item, defs, (*where, key),
                                          types_checked=types_checked)
                    if found:
                        return found
        elif isinstance(value, list) and isinstance(option.get("items"), dict):
            for index, item in enumerate(value):
                if found := input_problem(option["items"], item, defs, (*where, index), types_checked=types_checked):
                    return found
    return None


def _refused(source: str, where: tuple, problem: str) -> ValidationError:
    return ValidationError([{"type": "value_error", "loc": (source, *where), "msg": problem}])


def _expects_object(annotation) -> bool:
    # Only a union's arguments are alternatives: list[HealthEventIn] (the health feed's batch) is an array.
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    kinds = [kind for kind in (typing.get_args(annotation) if union else (annotation,)) if kind is not type(None)]
    return bool(kinds) and all(isinstance(kind, type) and issubclass(kind, pydantic.BaseModel) for kind in kinds)


def _body_checked(model) -> None:
    name = getattr(model, "__read_from_single_attr__", None)
    if not name or not _expects_object(model.model_fields[name].annotation):
        return
    read, schema = model.get_request_data.__func__, model.model_json_schema()

    def get_request_data(cls, request, api, path_params):
        data = read(cls, request, api, path_params)
        if data is None:
            return data
        if not isinstance(data[name], dict):
            raise _refused("body", (name,), "The request body must be a JSON object.")
        if found := input_problem(schema["properties"][name], data[name], schema.get("$defs", {}), (name,)):
            raise _refused("body", *found)
        return data

    model.get_request_data = classmethod(get_request_data)


def _query_checked(model) -> None:
    """Query values are all text, so only what the text says is checked: a date must read as one."""
    mapped, schema = model._map_data_paths.__func__, model.model_json_schema()

    def _map_data_paths(cls, data):
        data = mapped(cls, data)
        if found := input_problem(schema, data, schema.get("$defs", {}), types_checked=False):
            raise _refused("query", *found)
        return data

    model._map_data_paths = classmethod(_map_data_paths)


def operations(router: Router):
    for path_view in router.path_operations.values():
        yield from path_view.operations
    for _prefix, child, *_ in router._routers:
        yield from operations(child)


def inputs_checked(router: Router) -> None:
    """Put the checks above on every body and query of the router's operations."""
    for operation in operations(router):
        for model in operation.models:
            if model.__ninja_param_source__ == "body":
                _body_checked(model)
            elif model.__ninja_param_source__ == "query":
                _query_checked(model)
