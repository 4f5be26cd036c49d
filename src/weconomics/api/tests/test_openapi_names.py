"""The OpenAPI document describes each endpoint with the schema classes it really uses.

ninja keeps one component per class name, so two different schema classes of one name
replace each other in /api/v1/openapi.json and an endpoint is documented with another's
body (the conversation's message documented as the attendees' subject and text). These
tests walk the routers' operations next to the live document.
"""

import enum
import re
import typing

import pydantic
from ninja import Schema
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema

from weconomics.api.api import api


def operations():
    """(method, path, operation) for every operation of the API."""
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            path = "/api/v1/" + "/".join(p.strip("/") for p in (prefix, route) if p.strip("/"))
            path = re.sub(r"\{\w+:(\w+)\}", r"{\1}", path)
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method.lower(), path, operation


def models_in(annotation, found):
    """Add every model and enum class reachable from a type annotation to `found`."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
        return
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            models_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        models_in(argument, found)


def body_classes(operation):
    """The classes of the operation's JSON body parameters."""
    for model in operation.signature.models:
        if model.__ninja_param_source__ == "body":
            yield from model.__annotations__.values()


def json_schema(cls, mode):
    return cls.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode=mode)


def test_no_two_schema_or_enum_classes_share_a_component_name():
    classes = set()
    for _method, _path, operation in operations():
        for cls in body_classes(operation):
            models_in(cls, classes)
        for response in operation.response_models.values():
            models_in(response, classes)
    by_name = {}
    for cls in classes:
        if cls.__name__ in ("NinjaResponseSchema", "BodyParams"):
            continue  # ninja's own wrappers around a body or an answer, never a component
        by_name.setdefault(cls.__name__, []).append(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: where for name, where in by_name.items() if len(where) > 1}
    assert len(by_name) > 100
    assert not shared, shared


def test_every_request_body_in_the_document_is_the_endpoints_own_schema():
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    checked = 0
    for method, path, operation in operations():
        classes = [cls for cls in body_classes(operation)
                   if isinstance(cls, type) and issubclass(cls, Schema)]
        if not classes:
            continue
        assert len(classes) == 1, (method, path)
        cls = classes[0]
        own = json_schema(cls, "validation")
        body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        ref = body["schema"].get("$ref", "")
        assert ref == f"#/components/schemas/{cls.__name__}", (method, path, ref, cls)
        definitions = own.pop("$defs", {})
        assert components[cls.__name__] == own, (method, path, cls)
        for name, definition in definitions.items():
            assert components[name] == definition, (method, path, name)
        checked += 1
    assert checked > 50


def test_every_response_in_the_document_is_the_endpoints_own_schema():
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    checked = 0
    for method, path, operation in operations():
        for status, model in operation.response_models.items():
            if not isinstance(status, int) or not hasattr(model, "model_json_schema"):
                continue
            response = document["paths"][path][method]["responses"][status]
            own = json_schema(model, "serialization")
            for name, definition in own.pop("$defs", {}).items():
                assert components[name] == definition, (method, path, status, name)
            checked += 1
            documented = response["content"]["application/json"]["schema"]
            field = own["properties"]["response"]
            assert documented == field, (method, path, status)
    assert checked > 100


def test_the_docs_page_still_renders(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"swagger" in page.content.lower()
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert "ConversationMessageIn" in document.json()["components"]["schemas"]
