"""What the OpenAPI schema must say of the moderation plugin's parts that
drf-spectacular cannot infer: the bounds of its requests, the queue's rule
codes and the anonymous author's challenge. A postprocessing hook that runs
before the platform's own (``journal.api.schema.tighten``)."""

from __future__ import annotations

from journal.api.schema import NAME, NOT_BLANK, ONE_LINE, add_keywords

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
# A scheduled mode's name is shown to readers: one line, something to see.
_WINDOW = {
    "name": {"allOf": [{"pattern": NAME}, {"pattern": NOT_BLANK}]},
    "days": {"pattern": "^[0-6]{1,7}$"},
}
PROPERTIES["ScreenWindowRequestRequest"] = _WINDOW
PROPERTIES["RateWindowRequestRequest"] = _WINDOW
# A shared list's name is read by authors on a ban list; its words are one line.
_SHARED_LIST = {"name": {"allOf": [{"pattern": NAME}, {"pattern": NOT_BLANK}]}}
PROPERTIES["NewWordListRequest"] = _SHARED_LIST
PROPERTIES["NewBanListRequest"] = _SHARED_LIST
PROPERTIES["SharedWordRequest"] = {
    "phrase": {"minLength": 1, "allOf": [{"pattern": ONE_LINE}, {"pattern": NOT_BLANK}]}
}
# An appeal, its answer and a note on an author are read by people: something
# to read (the server trims white space, then refuses an empty text).
_READ = {"minLength": 1, "pattern": NOT_BLANK}
PROPERTIES["CommentAppealRequest"] = {"text": _READ}
PROPERTIES["RestrictionAppealRequest"] = {"text": _READ}
PROPERTIES["AppealDecideRequest"] = {"answer": _READ}
PROPERTIES["NoteRequestRequest"] = {"text": _READ}
OBJECTS = {
    # A PATCH that changes nothing is refused: say which field to change.
    "PatchedSettingsRequest": {"minProperties": 1},
    "PatchedSharedListChangeRequest": {"minProperties": 1},
}
# Bodies drf-spectacular leaves optional (a request of several shapes), which
# the view refuses when missing.
REQUIRED_BODIES = (("/api/shared-lists/", "post"), ("/api/moderation/appeals/", "post"))


def describe(result, generator, request, public):
    add_keywords(result, properties=PROPERTIES, objects=OBJECTS)
    for path, method in REQUIRED_BODIES:
        operation = result["paths"].get(path, {}).get(method)
        if operation and "requestBody" in operation:
            operation["requestBody"]["required"] = True
    queue = result["paths"].get("/api/moderation/queue/", {})
    for operation in queue.values():
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "rule":
                parameter["schema"]["enum"] = sorted(RULE_CODES)
    return result
