"""The OpenAPI 3 document of the merchant API, served at `GET /v1/openapi.json`.

Request bodies are derived from the pinned stripe SDK's `...Params` TypedDicts (the same ones
the API checks names against), flattened into Stripe's bracket names
(`features[subscription_update][products][0][adjustable_quantity][enabled]`), plus the
portal's `x_portal[...]` extension built from its pydantic models. Response objects come from
the models the services return.
"""

import types
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from stripe.params.billing_portal._configuration_create_params import ConfigurationCreateParams
from stripe.params.billing_portal._configuration_modify_params import ConfigurationModifyParams
from stripe.params.billing_portal._session_create_params import SessionCreateParams
from typing_extensions import is_typeddict

from portal_app.api.billing_portal import (
    CONFIGURATIONS_PATH,
    EXTENSION,
    SESSIONS_PATH,
    request_id,
)
from portal_app.models.configuration import (
    ConfigurationFeatures,
    QuantityLimits,
    RetentionOffer,
)
from portal_app.services.configuration_views import Branding, BusinessProfile, Embed, LoginPage
from portal_app.services.portal_links import PortalLink
from portal_app.services.stripe_params import alternatives, bracket, sdk_fields, sdk_hints

_REF = "#/components/schemas/{model}"
_FORM = "application/x-www-form-urlencoded"
API_VERSION = "2026-10-28.endive"


def _scalar_schema(annotation: Any) -> dict[str, Any]:
    """The schema of one form value: Stripe's enums, booleans, integers or text."""
    options = alternatives(annotation)
    if bool in options:
        return {"type": "string", "enum": ["true", "false"]}
    if int in options:
        return {"type": "integer"}
    literals = [
        value
        for option in options
        if get_origin(option) is Literal
        for value in get_args(option)
        if value != ""
    ]
    if literals:
        return {"type": "string", "enum": sorted(set(literals))}
    return {"type": "string"}


def _flatten(annotation: Any, path: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    options = alternatives(annotation)
    for option in options:
        if is_typeddict(option):
            return {
                name: schema
                for field, hint in sdk_hints(option).items()
                for name, schema in _flatten(hint, (*path, field)).items()
            }
    for option in options:
        if get_origin(option) is list:
            return _flatten(get_args(option)[0], (*path, "0"))
        if get_origin(option) is dict or option is dict:
            return {bracket((*path, "key")): {"type": "string"}}
    return {bracket(path): _scalar_schema(annotation)}


def _model_form(model: type[BaseModel], path: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Bracket names for a flat pydantic extension model (`x_portal[branding][font]`)."""
    properties: dict[str, dict[str, Any]] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if get_origin(annotation) is list:
            properties[bracket((*path, name, "0"))] = {"type": "string"}
        elif annotation is bool:
            properties[bracket((*path, name))] = {"type": "string", "enum": ["true", "false"]}
        elif annotation is int or (
            isinstance(annotation, types.UnionType) and int in get_args(annotation)
        ):
            properties[bracket((*path, name))] = {"type": "integer"}
        else:
            properties[bracket((*path, name))] = {"type": "string"}
    return properties


def _extension_form() -> dict[str, dict[str, Any]]:
    properties: dict[str, dict[str, Any]] = {
        f"{EXTENSION}[business_name]": {"type": "string", "maxLength": 100}
    }
    for key, model in (
        ("branding", Branding),
        ("embed", Embed),
        ("quantity", QuantityLimits),
        ("retention", RetentionOffer),
    ):
        properties.update(_model_form(model, (EXTENSION, key)))
    return properties


def form_schema(params: type, *, extension: bool = False) -> dict[str, Any]:
    """The form body of an SDK `...Params` TypedDict, in bracket names."""
    properties: dict[str, dict[str, Any]] = {}
    for name, hint in sdk_fields(params).items():
        properties.update(_flatten(hint, (name,)))
    if extension:
        properties.update(_extension_form())
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in (
        ConfigurationFeatures,
        Branding,
        BusinessProfile,
        Embed,
        LoginPage,
        PortalLink,
        QuantityLimits,
        RetentionOffer,
    ):
        schema = model.model_json_schema(ref_template=_REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    # Stripe's `features` without the two extensions, which travel in `x_portal`.
    schemas["SubscriptionUpdate"]["properties"].pop("quantity")
    schemas["SubscriptionCancel"]["properties"].pop("retention")
    schemas["PortalLink"]["properties"]["configuration"] = {
        "anyOf": [{"type": "string"}, {"$ref": _REF.format(model="Configuration")}],
        "description": "The configuration's id, or the object with expand[]=configuration.",
    }
    schemas["Configuration"] = {
        "type": "object",
        "description": "Stripe's billing_portal.configuration; x_portal is the portal's "
        "extension (business name, branding, embed origins, quantity limits, retention offer).",
        "properties": {
            "id": {"type": "string", "example": "bpc_..."},
            "object": {"type": "string", "enum": ["billing_portal.configuration"]},
            "active": {"type": "boolean"},
            "application": {"type": "string", "nullable": True},
            "business_profile": {"$ref": _REF.format(model="BusinessProfile")},
            "created": {"type": "integer"},
            "default_return_url": {"type": "string", "nullable": True},
            "features": {"$ref": _REF.format(model="ConfigurationFeatures")},
            "is_default": {"type": "boolean"},
            "livemode": {"type": "boolean"},
            "login_page": {"$ref": _REF.format(model="LoginPage")},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "name": {"type": "string", "nullable": True},
            "updated": {"type": "integer"},
            EXTENSION: {
                "type": "object",
                "properties": {
                    "business_name": {"type": "string"},
                    "branding": {"$ref": _REF.format(model="Branding")},
                    "embed": {"$ref": _REF.format(model="Embed")},
                    "quantity": {"$ref": _REF.format(model="QuantityLimits")},
                    "retention": {"$ref": _REF.format(model="RetentionOffer")},
                },
            },
        },
    }
    schemas["ConfigurationList"] = {
        "type": "object",
        "properties": {
            "object": {"type": "string", "enum": ["list"]},
            "data": {"type": "array", "items": {"$ref": _REF.format(model="Configuration")}},
            "has_more": {"type": "boolean"},
            "url": {"type": "string"},
        },
    }
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["type", "message"],
                "properties": {
                    "type": {"type": "string"},
                    "message": {"type": "string"},
                    "param": {"type": "string"},
                    "code": {"type": "string"},
                },
            }
        },
    }
    return schemas


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"Request-Id": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=ref)}}},
    }


def _form_body(params: type, description: str, *, extension: bool) -> dict[str, Any]:
    return {
        "description": description,
        "content": {_FORM: {"schema": form_schema(params, extension=extension)}},
    }


_ERRORS = {
    "400": _json("Error", "Invalid parameters; `param` names the field, `code` is Stripe's."),
    "401": _json("Error", "Missing or invalid secret key."),
    "413": _json("Error", "The body is larger than 64 KiB."),
}


def openapi_document() -> dict[str, Any]:
    """The document, built from the SDK's parameter types and the services' models."""
    expand = {
        "name": "expand[]",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    }
    list_params = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "starting_after", "in": "query", "schema": {"type": "string"}},
        {"name": "ending_before", "in": "query", "schema": {"type": "string"}},
        {"name": "is_default", "in": "query", "schema": {"type": "boolean"}},
        {"name": "active", "in": "query", "schema": {"type": "boolean"}},
        expand,
    ]
    id_param = {
        "name": "configuration_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    configuration = _json("Configuration", "The configuration.")
    missing = _json("Error", "No configuration has this id.")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Billing portal merchant API",
            "version": API_VERSION,
            "description": "Stripe-compatible billing_portal endpoints. Bodies use Stripe's "
            "form encoding with brackets, e.g. features[invoice_history][enabled]=true. The "
            f"portal's own settings are under {EXTENSION}[...].",
        },
        "security": [{"secretKey": []}],
        "paths": {
            CONFIGURATIONS_PATH: {
                "get": {
                    "summary": "List portal configurations, newest first",
                    "parameters": list_params,
                    "responses": {"200": _json("ConfigurationList", "A list."), **_ERRORS},
                },
                "post": {
                    "summary": "Create a portal configuration",
                    "requestBody": {
                        **_form_body(
                            ConfigurationCreateParams,
                            "Stripe's configuration parameters and x_portal.",
                            extension=True,
                        ),
                        "required": True,
                    },
                    "responses": {"200": configuration, **_ERRORS},
                },
            },
            CONFIGURATIONS_PATH + "/{configuration_id}": {
                "get": {
                    "summary": "Retrieve a portal configuration",
                    "parameters": [id_param, expand],
                    "responses": {"200": configuration, **_ERRORS, "404": missing},
                },
                "post": {
                    "summary": "Update a portal configuration (nested objects merge)",
                    "parameters": [id_param],
                    "requestBody": _form_body(
                        ConfigurationModifyParams,
                        "Any subset of Stripe's update parameters and x_portal.",
                        extension=True,
                    ),
                    "responses": {"200": configuration, **_ERRORS, "404": missing},
                },
            },
            SESSIONS_PATH: {
                "post": {
                    "summary": "Create a portal session for a customer",
                    "requestBody": {
                        **_form_body(
                            SessionCreateParams, "Stripe's session parameters.", extension=False
                        ),
                        "required": True,
                    },
                    "responses": {
                        "200": _json("PortalLink", "The session and its URL."),
                        **_ERRORS,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"secretKey": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
    }


async def openapi(_request: Request) -> JSONResponse:
    """The document (public: it holds no secrets)."""
    return JSONResponse(openapi_document(), headers={"Request-Id": request_id()})


def openapi_routes() -> list[BaseRoute]:
    """The document's route, for `portal_app.api.routes()`."""
    return [Route("/v1/openapi.json", openapi, methods=["GET"])]
