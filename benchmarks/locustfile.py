"""The load test's workload (run by locust in its own virtualenv; see load.py).

MixedUser: 80% post pages read by visitors, 15% comments posted through the
API by registered users, 5% views of the moderators' queue. StaticUser fetches
one static file from the same server, for the comparison row.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading

from locust import FastHttpUser, events, task

SETUP = json.loads(open(os.environ["LOAD_SETUP"]).read())  # noqa: SIM115
ACCEPTED: list[int] = []
REFUSED: list[int] = []
# Published comments per post, counting those the API accepted so far: a post
# page read after an accepted comment must count at least that many, or it
# was stale (served from the cache after the change).
PUBLISHED = {int(post_id): count for post_id, count in SETUP["published"].items()}
STALE: list[str] = []
COUNT = re.compile(r"<h2[^>]*>\s*([\d,]+) comments?")
_lock = threading.Lock()


@events.test_stop.add_listener
def _write_accepted(**_kwargs) -> None:
    with open(os.environ["LOAD_ACCEPTED"], "w") as handle:
        json.dump({"accepted": ACCEPTED, "refused": REFUSED, "stale": STALE}, handle)


class MixedUser(FastHttpUser):
    def on_start(self) -> None:
        self.rng = random.Random()

    @task(80)
    def read_post(self) -> None:
        self.client.get(self.rng.choice(SETUP["post_urls"]), name="post page")

    @task(15)
    def post_comment(self) -> None:
        post_id = self.rng.choice(SETUP["post_ids"])
        body = {"body": f"Load test comment {self.rng.random():.12f}, with words."}
        if self.rng.random() < 0.5:
            body["parent"] = self.rng.choice(SETUP["parents"][str(post_id)])
        token = self.rng.choice(SETUP["tokens"])
        with self.client.post(
            f"/api/posts/{post_id}/comments/",
            json=body,
            headers={"Authorization": f"Token {token}"},
            name="comment post (API)",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                with _lock:
                    ACCEPTED.append(response.json()["id"])
                    if response.json()["state"] == "published":
                        PUBLISHED[post_id] += 1
                    at_least = PUBLISHED[post_id]
                response.success()
                self.read_after_posting(post_id, at_least)
            else:
                with _lock:
                    REFUSED.append(response.status_code)
                response.failure(f"{response.status_code}: {response.text[:200]}")

    def read_after_posting(self, post_id: int, at_least: int) -> None:
        """The next read of the post, as a visitor: it counts the comment."""
        url = SETUP["post_urls"][SETUP["post_ids"].index(post_id)]
        with self.client.get(
            url, name="post page after posting", catch_response=True
        ) as response:
            found = COUNT.search(response.text)
            shown = int(found[1].replace(",", "")) if found else -1
            if shown < at_least:
                with _lock:
                    STALE.append(f"{url}: {shown} < {at_least}")
                response.failure(f"stale: counts {shown}, at least {at_least}")
            else:
                response.success()

    @task(5)
    def moderation_queue(self) -> None:
        self.client.get(
            "/moderation/",
            headers={"Cookie": SETUP["moderator_cookie"]},
            name="moderation queue",
        )


class StaticUser(FastHttpUser):
    @task
    def static_file(self) -> None:
        self.client.get(SETUP["static_url"], name="static file")
