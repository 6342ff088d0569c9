"""axe-core, from the npm registry (package.json), run inside Chromium.

``npm ci`` puts it in node_modules/; the tests inject it into the page they
check. It is a test tool only: no page of the site loads it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_source() -> str:
    if not AXE.exists():
        reason = f"no axe-core at {AXE}: run `npm ci` in the project's root"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the accessibility checks, but there is {reason}")
        pytest.skip(reason)
    return AXE.read_text()


def violations(page) -> list[dict]:
    """Every axe violation on the page as it stands, of any impact."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def describe(found: list[dict]) -> str:
    return json.dumps(found, indent=2)
