"""What the OpenAPI schema must say that drf-spectacular cannot infer.

A postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): every
request object refuses unknown properties, as StrictInput does; lists and
texts carry the bounds the services enforce; page numbers start at 1; and every
operation documents the 400 that any request with a NUL character or broken
JSON gets. Schemathesis checks the server against all of it (tests/api).
"""

from __future__ import annotations

from journal.params import MAX_PAGE

# At least one character that is neither a control character nor white space
# (by Python's definition, which the server uses), spelled out because regex
# engines disagree on what \s covers.
NOT_BLANK = (
    r"[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
    r"\u205f\u3000]"
)
# One line of text without control characters.
ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"
# A name (journal.validators.validate_name): one line, no direction marks and no
# invisible characters but the joiners.
NAME = (
    r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029\u00ad\u034f\u061c"
    r"\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]*$"
)

# component -> property -> extra JSON Schema keywords
PROPERTIES = {
    "CommentCreateRequest": {
        "body": {"minLength": 1, "maxLength": 20_000, "pattern": NOT_BLANK},
        "subject": {"maxLength": 100},
        "name": {"pattern": NAME},
    },
    "PatchedCommentEditRequest": {
        "body": {"minLength": 1, "maxLength": 20_000, "pattern": NOT_BLANK},
        "subject": {"maxLength": 100},
    },
}
# component -> extra keywords for the object itself
OBJECTS = {
    # A PATCH that changes nothing is refused: say which field to change.
    "PatchedCommentEditRequest": {"minProperties": 1},
}
INTEGER_PARAMETERS = ("page", "post", "after", "before", "thread")


def _error_response(result: dict) -> dict:
    for item in result["paths"].values():
        for operation in item.values():
            found = operation.get("responses", {}).get("404")
            if found:
                return {**found, "description": "Invalid input"}
    raise LookupError("no documented error response to copy")


def _names_a_minimum(body: dict, schemas: dict) -> bool:
    for content in body.get("content", {}).values():
        ref = content.get("schema", {}).get("$ref", "")
        if schemas.get(ref.rsplit("/", 1)[-1], {}).get("minProperties"):
            return True
    return False


def add_keywords(result, *, properties: dict, objects: dict) -> None:
    """Add JSON Schema keywords to components: ``objects`` maps a component to
    keywords for itself, ``properties`` to keywords for each named property."""
    schemas = result["components"]["schemas"]
    for name, extra in objects.items():
        schemas[name].update(extra)
    for name, props in properties.items():
        for prop, extra in props.items():
            schemas[name]["properties"][prop].update(extra)


def tighten(result, generator, request, public):
    """The last hook: after the plugin's (``moderation.api.schema``), so that
    what it adds is tightened the same way."""
    add_keywords(result, properties=PROPERTIES, objects=OBJECTS)
    schemas = result["components"]["schemas"]
    for name, schema in schemas.items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema["additionalProperties"] = False
    bad_request = _error_response(result)
    for item in result["paths"].values():
        for operation in item.values():
            operation["responses"].setdefault("400", bad_request)
            body = operation.get("requestBody")
            if body and _names_a_minimum(body, schemas):
                body["required"] = True  # an empty PATCH is refused
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter["in"] == "query" and parameter["name"] in (
                    INTEGER_PARAMETERS
                ):
                    schema.update(type="integer", minimum=1)
                    if parameter["name"] == "page":
                        schema["maximum"] = MAX_PAGE
    return result
