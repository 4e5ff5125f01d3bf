"""The OpenAPI document, generated from each route's `EndpointSpec` and pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from starlette.routing import BaseRoute, Route

from chatdesk import __version__
from chatdesk.web.api.endpoint import Access, EndpointSpec

_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "request_id": {"type": "string"},
            },
        }
    },
}


def _schema_ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(route: Route, method: str, spec: EndpointSpec, components: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": f"{method.lower()}_{route.name}",
        "tags": list(spec.tags),
        "parameters": [
            {"name": name, "in": "path", "required": True,
             "schema": {"type": "string", "format": "uuid"} if kind == "uuid" else {"type": "string"}}
            for name, kind in _PARAM.findall(route.path)
        ],
        "responses": {"default": {"description": "Error", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
    }
    if spec.query is not None:
        properties = spec.query.model_json_schema()["properties"]  # by alias: `from` for a field `created_from`
        operation["parameters"] += [
            {"name": field.alias or name, "in": "query", "required": field.is_required(),
             "schema": properties[field.alias or name]}
            for name, field in spec.query.model_fields.items()
        ]
    if spec.query_token:
        operation["parameters"].append({"name": "access_token", "in": "query", "required": False,
                                        "schema": {"type": "string"}})
    if spec.access is not Access.PUBLIC:
        operation["security"] = [{"bearer": []}, {"cookie": []}]
        operation["x-access"] = spec.access.value
    if spec.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _schema_ref(spec.body, components)}}}
    if spec.file_field is not None:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": [spec.file_field],
            "properties": {spec.file_field: {"type": "string", "format": "binary"}}}}}}
    success: dict[str, Any] = {"description": "OK"}
    if spec.response is not None:
        success["content"] = {"application/json": {"schema": _schema_ref(spec.response, components)}}
    for status in (spec.status, *spec.other_statuses):
        operation["responses"][str(status)] = success
    return operation


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    """Every route whose endpoint was declared with `@endpoint`."""
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        spec = getattr(getattr(route, "endpoint", None), "spec", None)
        if not isinstance(route, Route) or spec is None:
            continue
        path = _PARAM.sub(r"{\1}", route.path)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            paths.setdefault(path, {})[method.lower()] = _operation(route, method, spec, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "chatdesk API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "chatdesk_session"},
            },
        },
    }
