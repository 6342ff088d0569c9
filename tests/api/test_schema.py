"""The OpenAPI schema, the docs page, and schemathesis against the schema."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

EXPECTED_OPERATIONS = {
    ("get", "/api/journals/"), ("get", "/api/journals/{name}/"),
    ("get", "/api/journals/{name}/tags/"), ("get", "/api/journals/{name}/posts/"),
    ("get", "/api/journals/{name}/settings/"),
    ("patch", "/api/journals/{name}/settings/"),
    ("get", "/api/posts/{id}/"), ("get", "/api/posts/{post_id}/comments/"),
    ("post", "/api/posts/{post_id}/comments/"), ("get", "/api/comments/{comment_id}/"),
    ("get", "/api/posts/{post_id}/challenge/"),
    ("patch", "/api/comments/{comment_id}/"), ("delete", "/api/comments/{comment_id}/"),
    ("post", "/api/comments/{comment_id}/flag/"),
    ("post", "/api/comments/{comment_id}/freeze/"),
    ("post", "/api/comments/{comment_id}/unfreeze/"),
    ("post", "/api/comments/{comment_id}/delete-thread/"),
    ("post", "/api/comments/{comment_id}/screen/"),
    ("post", "/api/comments/{comment_id}/unscreen/"),
    ("post", "/api/moderation/dismissals/"),
    ("get", "/api/moderation/restrictions/"), ("post", "/api/moderation/restrictions/"),
    ("post", "/api/moderation/restrictions/{restriction_id}/lift/"),
    ("get", "/api/moderation/queue/"), ("post", "/api/moderation/decisions/"),
    ("get", "/api/moderation/log/"), ("post", "/api/moderation/log/{entry_id}/undo/"),
    ("post", "/api/moderation/claims/"),
    ("delete", "/api/moderation/claims/{comment_id}/"),
    ("get", "/api/journals/{name}/shadow/"), ("post", "/api/journals/{name}/shadow/"),
    ("post", "/api/journals/{name}/shadow/promote/"),
    ("post", "/api/journals/{name}/shadow/retire/"),
    ("get", "/api/journals/{name}/schedule/"),
    ("post", "/api/journals/{name}/schedule/"),
    ("post", "/api/journals/{name}/schedule/{window_id}/retire/"),
    ("get", "/api/moderation/heat/"),
    ("post", "/api/moderation/heat/{screening_id}/lift/"),
    ("post", "/api/journals/{name}/backtests/"),
    ("get", "/api/journals/{name}/backtests/{backtest_id}/"),
    ("get", "/api/moderation/appeals/"), ("post", "/api/moderation/appeals/"),
    ("post", "/api/moderation/appeals/{appeal_id}/decide/"),
    ("get", "/api/moderation/notes/"), ("post", "/api/moderation/notes/"),
    ("post", "/api/moderation/notes/{note_id}/retire/"),
    ("get", "/api/shared-lists/"), ("post", "/api/shared-lists/"),
    ("get", "/api/shared-lists/{list_id}/"), ("patch", "/api/shared-lists/{list_id}/"),
    ("post", "/api/shared-lists/{list_id}/unpublish/"),
    ("get", "/api/shared-lists/{list_id}/versions/"),
    ("get", "/api/shared-lists/{list_id}/versions/{number}/"),
    ("get", "/api/journals/{name}/subscriptions/"),
    ("post", "/api/journals/{name}/subscriptions/"),
    ("post", "/api/journals/{name}/subscriptions/{subscription_id}/end/"),
}  # fmt: skip


def test_the_schema_is_valid_openapi_3_without_warnings():
    out = StringIO()

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        stdout=out,
    )

    assert '"openapi": "3.0.3"' in out.getvalue()


@pytest.mark.django_db
def test_every_endpoint_is_in_the_schema_with_its_error_shape(client):
    schema = client.get("/api/schema/?format=json").json()

    operations = {
        (method, path) for path, item in schema["paths"].items() for method in item
    }
    assert operations == EXPECTED_OPERATIONS
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail"}
    create = schema["paths"]["/api/posts/{post_id}/comments/"]["post"]["responses"]
    assert {"201", "400", "403", "404", "429"} <= set(create)
    # The anonymous proof is documented where a client looks for it.
    fields = schema["components"]["schemas"]["CommentCreateRequest"]["properties"]
    assert "GET /api/posts/{id}/challenge/" in fields["challenge"]["description"]
    assert "antibot.reused" in fields["challenge"]["description"]
    challenge = schema["paths"]["/api/posts/{post_id}/challenge/"]["get"]
    assert "200" in challenge["responses"]
    assert (
        schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    )


@pytest.mark.django_db
def test_the_docs_page_loads_its_assets_from_this_site(client):
    page = client.get("/api/docs/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [s for s in sources if s.endswith((".js", ".css", ".png"))]
    assert assets and all(s.startswith("/static/") for s in assets)
    assert "cdn" not in page.lower() and "https://" not in "".join(sources)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
