"""The OpenAPI 3 document of the merchant API, served at `GET /v1/openapi.json`."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from portal_app.api.billing_portal import CONFIGURATIONS_PATH, SESSIONS_PATH
from portal_app.models.configuration import ConfigurationFeatures
from portal_app.services.configurations import Branding, BusinessProfile, Embed, LoginPage
from portal_app.services.portal_links import PortalLink

_REF = "#/components/schemas/{model}"
_FORM = "application/x-www-form-urlencoded"


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in (ConfigurationFeatures, Branding, BusinessProfile, Embed, LoginPage, PortalLink):
        schema = model.model_json_schema(ref_template=_REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    schemas["Configuration"] = {
        "type": "object",
        "description": "Stripe's billing_portal.configuration; business_name, branding and "
        "embed are portal extensions.",
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
            "business_name": {"type": "string"},
            "branding": {"$ref": _REF.format(model="Branding")},
            "embed": {"$ref": _REF.format(model="Embed")},
        },
    }
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
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
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=ref)}}},
    }


def _form_body(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {_FORM: {"schema": {"type": "object", "additionalProperties": True}}},
    }


_ERRORS = {
    "400": _json("Error", "Invalid parameters; `param` names the field."),
    "401": _json("Error", "Missing or invalid secret key."),
}


def openapi_document() -> dict[str, Any]:
    """The document, built from the same pydantic models the services validate with."""
    list_params = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "starting_after", "in": "query", "schema": {"type": "string"}},
        {"name": "ending_before", "in": "query", "schema": {"type": "string"}},
        {"name": "is_default", "in": "query", "schema": {"type": "boolean"}},
        {"name": "active", "in": "query", "schema": {"type": "boolean"}},
    ]
    id_param = {
        "name": "configuration_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    configuration = _json("Configuration", "The configuration.")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Billing portal merchant API",
            "version": "2024-06-20",
            "description": "Stripe-compatible billing_portal endpoints. Bodies use Stripe's "
            "form encoding with brackets, e.g. features[invoice_history][enabled]=true.",
        },
        "security": [{"secretKey": []}],
        "paths": {
            CONFIGURATIONS_PATH: {
                "get": {
                    "summary": "List portal configurations, newest first",
                    "parameters": list_params,
                    "responses": {"200": {"description": "A list object."}, **_ERRORS},
                },
                "post": {
                    "summary": "Create a portal configuration",
                    "requestBody": _form_body("Stripe's configuration parameters."),
                    "responses": {"200": configuration, **_ERRORS},
                },
            },
            CONFIGURATIONS_PATH + "/{configuration_id}": {
                "get": {
                    "summary": "Retrieve a portal configuration",
                    "parameters": [id_param],
                    "responses": {"200": configuration, "404": _json("Error", "No such id.")},
                },
                "post": {
                    "summary": "Update a portal configuration (nested objects merge)",
                    "parameters": [id_param],
                    "requestBody": _form_body("Any subset of the creation parameters."),
                    "responses": {"200": configuration, **_ERRORS},
                },
            },
            SESSIONS_PATH: {
                "post": {
                    "summary": "Create a portal session for a customer",
                    "requestBody": _form_body(
                        "customer (required), configuration, locale, return_url, flow_data."
                    ),
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
    return JSONResponse(openapi_document())


def openapi_routes() -> list[BaseRoute]:
    """The document's route, for `portal_app.api.routes()`."""
    return [Route("/v1/openapi.json", openapi, methods=["GET"])]
