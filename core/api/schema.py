"""drf-spectacular's AutoSchema, with every error an operation can return described.

The error responses follow from what the operation is, so a new endpoint is documented
correctly without listing them by hand.
"""

from typing import TYPE_CHECKING, Any

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.plumbing import get_doc
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from core.api.common import DeliverableEmailField, StrictSerializer, filters_apply
from core.api.errors import ErrorSerializer
from core.validators import DELIVERABLE_EMAIL_PATTERN

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.plumbing import ComponentRegistry
    from rest_framework.request import Request

# The schema is OpenAPI, that is JSON: its objects' values are of any JSON type.
Schema = dict[str, Any]

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: malformed JSON, a wrong type, an unknown field, a bad query parameter "
    "or a body over the size limit. `errors` names each field.",
    "401": "No credentials, or an unknown token. Send `Authorization: Token <key>`.",
    "403": "Signed in but not allowed, or a session request without its CSRF token.",
    "404": "No such object, or one you may not see; for lists, a page past the end.",
    "405": "This method is not allowed here.",
    "415": "The body must be `application/json`.",
    "429": "Too many requests. Wait the number of seconds in `Retry-After`.",
}

SUCCESS_DESCRIPTIONS = {
    "200": "Done; the body is the result.",
    "201": "Created.",
    "202": "Accepted; what follows happens by email.",
    "204": "Done; no body.",
}
PATH_DESCRIPTIONS = {
    "slug": "The object's slug, the last part of its `url`.",
    "id": "The object's id.",
    "key": "The queue's key.",
}

# DRF's CharField and Django's form fields refuse NUL characters; a field that may not be blank
# needs something besides white space, since the forms behind the API strip it.
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"

RULES_KEY = "x-schema-rules"

RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "The scheme to use: Token."}}


class AutoSchema(openapi.AutoSchema):
    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: "ComponentRegistry"
    ) -> Schema | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                responses[code] = self._error_response(code)
        for code, response in responses.items():
            if not response.get("description"):
                response["description"] = SUCCESS_DESCRIPTIONS.get(code, "")
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and not parameter.get("description"):
                parameter["description"] = PATH_DESCRIPTIONS.get(parameter["name"], "")
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def get_filter_backends(self) -> list[Any]:
        return super().get_filter_backends() if filters_apply(self.view) else []

    def _get_filter_parameters(self) -> list[Schema]:
        parameters: list[Schema] = super()._get_filter_parameters()
        filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") == "string":
                # StrictFilterBackend refuses a filter given with no value.
                schema["minLength"] = 1
                if not {"enum", "format", "pattern"} & set(schema):
                    schema["pattern"] = NO_NUL
                max_length = getattr(filters.get(parameter["name"]), "extra", {}).get("max_length")
                if max_length:
                    schema["maxLength"] = max_length
        return parameters

    def _map_serializer_field(
        self, field: serializers.Field[Any, Any, Any, Any], direction: str, bypass_extensions: bool = False
    ) -> Schema:
        schema: Schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, DeliverableEmailField):
            schema["pattern"] = DELIVERABLE_EMAIL_PATTERN
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not {"enum", "format", "pattern", "$ref", "allOf"} & set(schema)
            and not any(isinstance(validator, RegexValidator) for validator in field.validators)
        ):
            schema["pattern"] = NO_NUL if field.allow_blank else NOT_BLANK
        return schema

    def _map_basic_serializer(self, serializer: serializers.BaseSerializer[Any], direction: str) -> Schema:
        schema: Schema = super()._map_basic_serializer(serializer, direction)
        if isinstance(serializer, StrictSerializer):
            if direction == "request":
                schema["additionalProperties"] = False
                if serializer.schema_rules:
                    # Put in place by apply_schema_rules, after drf-spectacular has named the enums: it
                    # would otherwise take an enum inside a rule for the field's own and name both alike.
                    schema[RULES_KEY] = serializer.schema_rules
            # drf-spectacular falls back on a base class's docstring, which describes the class, not the body.
            if schema.get("description") == get_doc(StrictSerializer):
                del schema["description"]
        return schema

    def _error_codes(self, operation: Schema) -> list[str]:
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation
        restricted = self.method not in ("GET", "HEAD", "OPTIONS") or any(
            not isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        )
        codes = ["429"]
        if has_body or any(parameter["in"] == "query" for parameter in parameters):
            codes.append("400")
        if restricted:
            codes += ["401", "403"]
        if any(parameter["in"] == "path" for parameter in parameters) or self._is_list_view():
            codes.append("404")
        if has_body:
            codes.append("415")
        return codes

    def _error_response(self, code: str) -> Schema:
        response: Schema = self._get_response_for_code(ErrorSerializer, code)
        response["description"] = ERROR_DESCRIPTIONS[code]
        if code == "429":
            response["headers"] = RETRY_AFTER
        if code == "401":
            response["headers"] = WWW_AUTHENTICATE
        return response


def apply_schema_rules(result: Schema, generator: "SchemaGenerator", request: "Request | None", public: bool) -> Schema:
    """A postprocessing hook: the rules across fields (StrictSerializer.schema_rules) join their bodies."""
    for component in result.get("components", {}).get("schemas", {}).values():
        component.update(component.pop(RULES_KEY, {}))
    return result
