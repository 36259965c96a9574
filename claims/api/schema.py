"""OpenAPI additions: the one error shape, documented on every operation, and strict
request bodies.

drf-spectacular documents what views return on success; this post-processing hook adds the
error responses each kind of endpoint can give, all with the ``Error`` schema, so clients
(and schemathesis) know every status and body the API can answer with.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable machine-readable code, such as `invalid`, "
                    "`not_found`, `forbidden`, `invalid_transition`, `four_eyes`.",
                },
                "message": {"type": "string", "description": "Plain English."},
                "fields": {
                    "type": "object",
                    "description": "For validation errors: field name to messages.",
                    "additionalProperties": {},
                },
            },
        }
    },
}

_PUBLIC_ERRORS = {
    "400": "A filter or parameter is not valid; `fields` names it.",
    "404": "Not found. Unknown and unpublished codes get the same answer.",
    "429": "Too many requests; wait for the number of seconds in Retry-After.",
}
_PUBLIC_ONE_CLAIM_ERRORS = {"410": "The check was withdrawn; the message gives the reason."}
_NEWSROOM_ERRORS = {
    "400": "Malformed body, a field that is not valid (named in `fields`), or a workflow "
    "condition that does not hold.",
    "401": "Not signed in, or a bad token.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such claim or item.",
    "409": "The workflow does not allow this now, or someone else changed the claim first.",
    "413": "The request body is too large.",
    "415": "Unsupported Content-Type.",
}


def _strict_names() -> set[str]:
    from claims.api.serializers import StrictSerializer

    names, todo = set(), [StrictSerializer]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo += cls.__subclasses__()
    return names


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    # Request bodies reject fields they do not know (StrictSerializer): say so.
    strict = _strict_names()
    for name, component in schemas.items():
        base = name.removeprefix("Patched").removesuffix("Request")
        if name.endswith("Request") and base in strict:
            component["additionalProperties"] = False
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/schema"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            if path.startswith("/api/v1/public/"):
                errors = dict(_PUBLIC_ERRORS)
                if "{code}" in path:
                    errors.update(_PUBLIC_ONE_CLAIM_ERRORS)
            else:
                errors = dict(_NEWSROOM_ERRORS)
                if method == "get":
                    for status in ("409", "413", "415"):
                        errors.pop(status)
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses[status] = {"description": description, "content": ref}
    return result


# --------------------------------------------------------------------------------------------
# The intake API's views (claims/api/intake.py) are plain APIViews that build their answers
# by hand: document their requests here, and their answers as free-form objects, until
# their owner gives them serializers. Without this, drf-spectacular leaves them out of the
# schema and warns (which fails ``check --deploy``).


def _documented(view: Any, **methods: Any) -> type:
    """A subclass of ``view`` (an extension's ``target_class``, a class once registered)
    with ``extend_schema`` on the named methods; the view itself is left untouched."""
    documented = type(view.__name__, (view,), {"__doc__": view.__doc__})
    return extend_schema_view(**methods)(documented)


class _IntakeJobCreateSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "claims.api.intake.IntakeJobCreate"

    def view_replacement(self) -> type:
        from claims.api.intake import IntakeRequestSerializer

        return _documented(
            self.target_class,
            post=extend_schema(
                tags=["intake"],
                request=IntakeRequestSerializer,
                responses={201: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
            ),
        )


class _IntakeJobDetailSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "claims.api.intake.IntakeJobDetail"

    def view_replacement(self) -> type:
        return _documented(
            self.target_class,
            get=extend_schema(tags=["intake"], responses={200: OpenApiTypes.OBJECT}),
        )


class _IntakeJobClaimsSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "claims.api.intake.IntakeJobClaims"

    def view_replacement(self) -> type:
        from claims.api.intake import SelectionsSerializer

        return _documented(
            self.target_class,
            post=extend_schema(
                tags=["intake"],
                request=SelectionsSerializer,
                responses={201: OpenApiTypes.OBJECT},
            ),
        )


class _ClaimDuplicatesSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "claims.api.intake.ClaimDuplicates"

    def view_replacement(self) -> type:
        from claims.api.intake import DuplicatesRequestSerializer

        return _documented(
            self.target_class,
            post=extend_schema(
                tags=["intake"],
                request=DuplicatesRequestSerializer,
                responses={200: OpenApiTypes.OBJECT},
            ),
        )


class _PublicCheckedSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "claims.api.intake.PublicChecked"

    def view_replacement(self) -> type:
        from claims.api.intake import CheckedQuerySerializer

        return _documented(
            self.target_class,
            get=extend_schema(
                tags=["public"],
                parameters=[CheckedQuerySerializer],
                responses={200: OpenApiTypes.OBJECT},
                auth=[],
            ),
        )
