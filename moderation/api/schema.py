"""What the OpenAPI schema must say of the moderation plugin's parts that
drf-spectacular cannot infer: the bounds of its requests, the queue's rule
codes and the anonymous author's challenge. A postprocessing hook that runs
before the platform's own (``journal.api.schema.tighten``)."""

from __future__ import annotations

from journal.api.schema import NOT_BLANK, ONE_LINE, add_keywords

from ..rules import FORM_MAX_SECONDS, FORM_MIN_SECONDS, RULE_CODES

# component -> property -> extra JSON Schema keywords
PROPERTIES = {
    "DecisionRequestRequest": {"items": {"minItems": 1, "maxItems": 10_000}},
    "DismissalRequestRequest": {"comments": {"minItems": 1}},
    "WordRequest": {
        "phrase": {
            "minLength": 1,
            "allOf": [{"pattern": ONE_LINE}, {"pattern": NOT_BLANK}],
        }
    },
    "CommentCreateRequest": {
        "challenge": {
            "description": (
                "Required for anonymous comments, ignored otherwise: the "
                "`challenge` from `GET /api/posts/{id}/challenge/`, sent at least "
                f"{FORM_MIN_SECONDS} seconds and at most "
                f"{FORM_MAX_SECONDS // 3600} hours after it was fetched. Each "
                "challenge posts one comment. Without a valid one the comment is "
                "refused (403) with `antibot.invalid_form`, `antibot.too_fast`, "
                "`antibot.expired` or `antibot.reused`."
            )
        }
    },
}
OBJECTS = {
    # A PATCH that changes nothing is refused: say which field to change.
    "PatchedSettingsRequest": {"minProperties": 1},
}


def describe(result, generator, request, public):
    add_keywords(result, properties=PROPERTIES, objects=OBJECTS)
    queue = result["paths"].get("/api/moderation/queue/", {})
    for operation in queue.values():
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "rule":
                parameter["schema"]["enum"] = sorted(RULE_CODES)
    return result
