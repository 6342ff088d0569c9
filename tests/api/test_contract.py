"""The API keeps its contract: schemathesis, with every check, against the app
under gunicorn on the demo data, as a reader and as a moderator, with real ids.

Zero server errors and zero flags: no undocumented status, no response that
contradicts the schema, no schema-valid request refused and no invalid one
accepted. A fixed seed and a bounded number of examples keep it repeatable.
The command it runs (printed on failure) is the one to run by hand.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.contract

SETUP = """
import json
from django.core.management import call_command
from accounts.models import User
from accounts.tokens import create_token
from journal.models import Comment, Post
from moderation import services
from moderation.models import AuditEntry
call_command("seed_demo", stdout=open("/dev/null", "w"))
moderator = User.objects.get(username="moderator")
reader = User.objects.get(username="reader")
post = Post.objects.get(title__startswith="Harbour lights")
comment = Comment.objects.filter(post=post, state="published").first()
restriction = services.restrict_author(
    journal=post.journal, user=User.objects.get(username="marta_k"),
    kind="screen", by=moderator)
print(json.dumps({
    "reader": create_token(user=reader, name="contract")[1],
    "moderator": create_token(user=moderator, name="contract")[1],
    "post": post.pk, "comment": comment.pk, "restriction": restriction.pk,
    "entry": AuditEntry.objects.filter(journal=post.journal).first().pk,
}))
"""

CONFIG = """
[generation]
# Every text field refuses U+0000 with a 400 (see the schema's description).
allow-x00 = false

[parameters]
"path.name" = "dailydigest"
"path.id" = {post}
"path.post_id" = {post}
"path.comment_id" = {comment}
"path.entry_id" = {entry}
"path.restriction_id" = {restriction}

# Our errors are {{"code", "detail", "errors": {{field: [...]}}}}; schemathesis's
# guess at the shape of 4xx bodies would read "errors" as a request field.
[phases.fuzzing.error-feedback]
enabled = false
"""
SEED, EXAMPLES = 42, 10


@pytest.mark.parametrize("role", ["reader", "moderator"])
def test_schemathesis_finds_no_server_error_and_no_flag(
    scratch_database, start_app, tmp_path, role
):
    base, ids, _server = start_app(scratch_database, setup=SETUP, workers=2)
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(**ids))
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file", str(config),
        "run", f"{base}/api/schema/?format=json",
        "--checks", "all",
        "--mode", "all",
        "-H", f"Authorization: Token {ids[role]}",
        "--seed", str(SEED),
        "--max-examples", str(EXAMPLES),
        "--workers", "1",
        "--generation-database", "none",
        "--no-color",
    ]  # fmt: skip

    result = subprocess.run(command, capture_output=True, text=True, timeout=600)

    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    selected = re.search(r"Selected: (\d+)/(\d+)", summary)
    tested = re.search(r"Tested: (\d+)", summary)
    assert selected and tested, summary
    # Every operation of the schema was tried, and nothing failed.
    assert selected.group(1) == selected.group(2) == tested.group(1), summary
    assert "Failures:" not in summary and "Errors:" not in summary, summary
