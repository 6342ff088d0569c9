"""What the platform asks of a moderation plugin, and the one place it asks.

The platform (journals, posts, comments, threads, pages) knows moderation only
through this interface. An installed app provides it by naming its class in
its app config (``journal_plugin = "moderation.plugin.ModerationPlugin"``), so
installing the app installs the plugin. The platform calls it explicitly, from
the one write path (``journal.services``) and from the pages, never through a
signal. With no such app installed, ``Unmoderated`` applies: everyone may
comment and everything is published.

The plugin answers:

- **judge**: a new or edited comment, published, held or refused, and why;
- **may_comment**: whether a viewer may comment on a post, and why not;
- **comment_stored**, **post_moved**: a write's side effects (mail, the log),
  in the write's transaction; rows kept beside every new comment come with
  its judgement instead, and ride in the comment's insert (``Companion``),
  and a judgement with no ``work_after_storing`` spares the call;
- **tools**: what a viewer sees of moderation on a post page (an author: the
  appeal of a decision about them);
- **viewer_annotations**: what it needs to know of the viewer, asked in the
  post page's own query so that it costs no round trip of its own;
- **comment_annotations**: the same for each comment of a page (such as
  whether the viewer reported it), asked in the page's comment query;
- **issue_proof**, **read_proof**: the proof an anonymous comment carries.

The plugin may also leave a sentence and a button for the next page a user
sees (``offer_follow_up``, such as "Thread deleted" and Undo).

A judgement's ``reasons`` are stored with the comment and shown to its author
and the journal's moderators. Each is plain JSON data: ``code`` (stable, such
as "links.too_many"), ``action`` ("publish", "hold" or "refuse"), ``message``
(a sentence for people) and, when a list entry matched, ``matched`` (the text
as written) and ``entry`` (the list entry).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from django.apps import apps
from django.utils.module_loading import import_string

from .states import CommentState


@dataclass(frozen=True)
class Refusal:
    """Why a comment was refused: a stable code and the sentence for people;
    ``retry_after`` is the seconds to wait when waiting helps (a rate limit)."""

    code: str
    message: str
    retry_after: int = 0


@dataclass(frozen=True)
class ViewerRoles:
    """Who the viewer is in a post's journal. ``noted`` holds the values of the
    plugin's own ``viewer_annotations``, by name."""

    is_member: bool = False
    is_moderator: bool = False
    noted: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Access:
    """Whether a viewer may comment on a post; if not, why. ``notices`` are
    sentences for above the comment form ("Comments are screened until
    07:00"), true until ``changes_at`` (an aware moment) at most: a page
    showing them, or showing none, is not kept past it."""

    refusal: Refusal | None = None
    notices: tuple[str, ...] = ()
    changes_at: datetime | None = None

    @property
    def refused(self) -> bool:
        return self.refusal is not None


@dataclass(frozen=True)
class Origin:
    """Where a submission came from, as far as moderation cares: the client's
    address and, for an anonymous comment, its proof (from ``read_proof``)."""

    ip_address: str | None = None
    proof: Any = None


@dataclass(frozen=True)
class Draft:
    """A comment about to be stored, or an edit about to be applied: validated
    and sanitized, not yet judged."""

    post: Any
    author: Any  # a user, or None for an anonymous visitor
    parent: Any  # the comment replied to, or None
    body: str  # as written
    body_html: str  # as it will be stored and shown
    text: str  # the words a reader sees, link addresses written out
    link_count: int
    subject: str = ""
    author_name: str = ""  # an anonymous visitor's name
    origin: Origin = field(default_factory=Origin)
    editing: Any = None  # the comment being edited, or None for a new one


@dataclass(frozen=True)
class Companion:
    """Rows of the plugin's own ``model`` to write with a new comment, in the
    comment's own write: each of ``rows`` gives field values, and the foreign
    key ``comment_field`` takes the new comment's id. On PostgreSQL they go in
    the comment's own insert statement, which saves a round trip per comment."""

    model: Any  # a model class of the plugin
    comment_field: str
    rows: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Judgement:
    """The plugin's answer: the state to store (a ``CommentState``), the reasons
    kept with the comment and the id of the rule-set version it was judged
    under; or a refusal, and then nothing is stored. ``facts`` is the plugin's
    own record of what the verdict was computed from, stored with the comment
    as plain JSON and read back only by the plugin. ``companions`` are rows the
    plugin keeps beside a new comment (``Companion``); an edit stores none.

    ``work_after_storing``: whether ``comment_stored`` has anything to do for
    this new comment. A plugin says False only when it is sure; then the
    platform does not call it, and on PostgreSQL the comment's insert, which
    carries the companions, is the write's whole transaction."""

    state: str = CommentState.PUBLISHED
    reasons: tuple[dict, ...] = ()
    rule_set_version_id: int | None = None
    refusal: Refusal | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    companions: tuple[Companion, ...] = ()
    work_after_storing: bool = True


@dataclass(frozen=True)
class AppealOffer:
    """What an author may do about a decision moderation made about them, as
    the page shows it: ``status``, where their appeal stands (a sentence; ""
    before they made one; ``state`` "open", "granted" or "denied"), and while
    they may still appeal, ``url`` to POST the form to. The form's one field,
    ``text`` (at most ``max_length`` characters), is labelled ``prompt``, its
    button ``label``; ``help`` says until when. ``key`` names the form apart
    from others on the page."""

    key: str
    status: str = ""
    state: str = ""
    url: str = ""
    label: str = ""
    prompt: str = ""
    help: str = ""
    max_length: int = 0


class Tools(Protocol):
    """What one viewer sees of moderation on one post page. Links are
    (label, url) pairs; the page lays them out."""

    # Above the comments (for moderators: the post's queue).
    post_links: list[tuple[str, str]]

    # Beside a comment's own Reply and Link (for readers: Report). A url of
    # None is shown as plain text (such as "Reported").
    def reader_links(self, comment) -> list[tuple[str, str | None]]: ...

    # In a comment's moderation bar (for moderators: thread actions).
    def moderator_links(self, comment) -> list[tuple[str, str]]: ...

    # What a moderator's reason code for rejecting a comment means, in words.
    def reason_label(self, code: str) -> str: ...

    # Below the viewer's own comment: the appeal of a decision on it, if any.
    def appeal(self, comment) -> AppealOffer | None: ...

    # Beside the comment form: appeals of what the journal decided about the
    # viewer (a ban, a screening).
    journal_appeals: list[AppealOffer]


class Plugin(Protocol):
    def judge(self, draft: Draft) -> Judgement:
        """Called inside the write's transaction, once the draft is valid.
        Taking a place (a rate limit, a spent proof) happens here too: only a
        judgement that is not a refusal takes one."""
        ...

    def viewer_annotations(self, user, *, journal_ref: str) -> dict:
        """Query expressions on the post (``journal_ref`` names its journal id
        column); their values reach ``may_comment`` as ``roles.noted``."""
        ...

    def comment_annotations(self, user) -> dict:
        """Query expressions on each comment a page shows, for ``user``; the
        values reach ``Tools`` as attributes of the comment."""
        ...

    def may_comment(self, post, user, roles: ViewerRoles) -> Access: ...

    def comment_stored(
        self, comment, *, created: bool, was_held: bool, origin: Origin | None = None
    ) -> None:
        """Called inside the transaction, after a comment was stored or edited
        (a new one only when its judgement has ``work_after_storing``);
        ``was_held``: whether it was held before this edit; ``origin``: where
        the request came from."""
        ...

    def post_moved(
        self, post, *, from_journal_id: int, comment_count: int, by
    ) -> None: ...

    def tools(self, post, user, roles: ViewerRoles) -> Tools: ...

    def issue_proof(self, post_id: int) -> str:
        """A proof for the comment form (or the API) to carry; "" for none."""
        ...

    def read_proof(self, *, token: str, post_id: int, honeypot: bool = False):
        """What a submitted proof says, for ``Origin.proof``."""
        ...


@dataclass(frozen=True)
class FollowUp:
    """What an action says on the page it leads to, with a button to follow it
    up, such as "Thread deleted" and Undo: ``message``, then a POST form to
    ``url`` carrying ``fields`` behind a button labelled ``label``. Shown once,
    by the page at ``path``, where that page lands (a post page: above its
    comments), which a message at the top of a long page would not be."""

    message: str
    label: str
    url: str
    path: str
    fields: tuple[tuple[str, str], ...] = ()


FOLLOW_UPS_SESSION_KEY = "journal.follow_ups"


def offer_follow_up(session, follow_up: FollowUp) -> None:
    """Have the page at ``follow_up.path`` show ``follow_up`` with its messages."""
    offered = [*session.get(FOLLOW_UPS_SESSION_KEY, ()), asdict(follow_up)]
    session[FOLLOW_UPS_SESSION_KEY] = offered[-3:]


def take_follow_ups(session, path: str) -> list[FollowUp]:
    """The follow-ups offered for the page at ``path``. Like messages, they are
    shown once: reading them drops every follow-up offered, so that one the
    user never went to see does not turn up on a later page."""
    if FOLLOW_UPS_SESSION_KEY not in session:  # no query without a session
        return []
    offered = [
        FollowUp(
            message=item["message"],
            label=item["label"],
            url=item["url"],
            path=item["path"],
            fields=tuple(tuple(pair) for pair in item["fields"]),
        )
        for item in session.pop(FOLLOW_UPS_SESSION_KEY)
    ]
    return [follow_up for follow_up in offered if follow_up.path == path]


@dataclass
class NoTools:
    post_links: list = field(default_factory=list)
    journal_appeals: list = field(default_factory=list)

    def reader_links(self, comment) -> list:
        return []

    def moderator_links(self, comment) -> list:
        return []

    def reason_label(self, code: str) -> str:
        return ""

    def appeal(self, comment) -> None:
        return None


class Unmoderated:
    """The platform on its own: everyone may comment, everything is published."""

    def judge(self, draft: Draft) -> Judgement:
        return Judgement(work_after_storing=False)

    def viewer_annotations(self, user, *, journal_ref: str) -> dict:
        return {}

    def comment_annotations(self, user) -> dict:
        return {}

    def may_comment(self, post, user, roles: ViewerRoles) -> Access:
        return Access()

    def comment_stored(self, comment, *, created, was_held, origin=None) -> None:
        pass

    def post_moved(self, post, *, from_journal_id: int, comment_count: int, by):
        pass

    def tools(self, post, user, roles: ViewerRoles) -> NoTools:
        return NoTools()

    def issue_proof(self, post_id: int) -> str:
        return ""

    def read_proof(self, *, token: str, post_id: int, honeypot: bool = False):
        return None


def plugin_paths() -> list[str]:
    """The plugin classes installed apps name (a system check wants one)."""
    return [
        config.journal_plugin
        for config in apps.get_app_configs()
        if getattr(config, "journal_plugin", None)
    ]


@cache
def installed() -> Plugin:
    """The installed plugin, made once; ``Unmoderated`` when there is none."""
    paths = plugin_paths()
    return import_string(paths[0])() if paths else Unmoderated()


def plugin() -> Plugin:
    """What the platform calls. (Tests may replace ``installed``.)"""
    return installed()
