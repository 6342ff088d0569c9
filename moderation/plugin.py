"""The moderation plugin as the platform sees it: the implementation of
``journal.plugins.Plugin`` that ``ModerationConfig`` names.

Each method is a thin door into the plugin's services: judging
(``moderation.judging``), notifications, the anonymous author's proof
(``moderation.antibot``) and what a post page shows of moderation.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from django.db.models import Case, Exists, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from journal.models import CommentState
from journal.plugins import (
    Access,
    AppealOffer,
    Draft,
    Judgement,
    Origin,
    ViewerRoles,
)

from . import antibot, appeals, heat, judging, services, shadows, tasks
from .models import Appeal, AuthorRestriction, Report, ReportReason, SharedList

# A comment id no database reaches, replaced by each real id: one reverse() per
# page and action instead of one per comment.
_ID = 987654321987654321


class PostTools:
    """What one viewer sees of moderation on a post page: for moderators, the
    queue and each comment's thread actions; for other readers, Report."""

    def __init__(self, post, user, roles: ViewerRoles):
        self.user = user
        self.post = post
        self.noted = roles.noted
        self.is_moderator = roles.is_moderator
        # The viewer's decisions on this post's comments, read when first asked.
        self._standings: dict | None = None
        self.post_links = []
        # The links' words, looked up once per page: a page may list thousands
        # of comments, each asking for its links.
        if not self.is_moderator:
            self._report = pgettext("comment action", "Report")
            self._reported = pgettext("comment already reported", "Reported")
        else:
            self._labels = {
                "freeze": gettext("Freeze thread"),
                "unfreeze": gettext("Unfreeze thread"),
                "delete": gettext("Delete thread"),
                "screen": pgettext("comment action", "Screen"),
                "unscreen": pgettext("comment action", "Unscreen"),
            }
            queue = reverse("moderation:queue")
            self.post_links.append(
                (
                    gettext("Moderation queue for this post"),
                    f"{queue}?journal={post.journal.name}&post={post.pk}",
                )
            )
        self._patterns: dict[tuple, str] = {}

    def _url(self, name: str, comment_id: int, *args) -> str:
        key = (name, *args)
        if key not in self._patterns:
            self._patterns[key] = reverse(name, args=(_ID, *args))
        return self._patterns[key].replace(str(_ID), str(comment_id))

    def reader_links(self, comment) -> list[tuple[str, str | None]]:
        user = self.user
        if (
            user.is_authenticated
            and comment.author_id != user.pk
            and comment.state == CommentState.PUBLISHED
            and not self.is_moderator
        ):
            # Asked in the page's own query (ModerationPlugin.comment_annotations).
            if getattr(comment, "viewer_reported", False):
                return [(self._reported, None)]
            return [(self._report, self._url("moderation:report", comment.pk))]
        return []

    def moderator_links(self, comment) -> list[tuple[str, str]]:
        if not self.is_moderator:
            return []

        def thread(action: str) -> tuple[str, str]:
            return self._labels[action], self._url(
                "moderation:thread", comment.pk, action
            )

        links = [thread("unfreeze") if comment.frozen else thread("freeze")]
        # A removed comment's thread is deleted already (undo is in the queue).
        if comment.state != CommentState.REMOVED:
            links.append(thread("delete"))
        if comment.state == CommentState.PUBLISHED:
            links.append(thread("screen"))
        elif comment.is_held:
            links.append(thread("unscreen"))
        return links

    @staticmethod
    def reason_label(code: str) -> str:
        return str(ReportReason(code).label) if code in ReportReason.values else ""

    def appeal(self, comment) -> AppealOffer | None:
        """The appeal of the decision on the viewer's own comment: a query for
        the page, and only once one of the viewer's comments on it is rejected
        or was appealed (``viewer_appealed``, asked in the page's query)."""
        if comment.author_id is None or comment.author_id != self.user.pk:
            return None
        if comment.state != CommentState.REJECTED and not getattr(
            comment, "viewer_appealed", False
        ):
            return None
        if self._standings is None:
            self._standings = appeals.comment_standings(
                author=self.user, post_id=self.post.pk
            )
        standing = self._standings.get(comment.pk)
        if standing is None:
            return None
        return appeal_offer(
            standing,
            key=f"c{comment.pk}",
            url=self._url("moderation:appeal_comment", comment.pk),
            label=gettext("Appeal this decision"),
        )

    @cached_property
    def journal_appeals(self) -> list[AppealOffer]:
        """The appeals of a ban or screening of the viewer in this journal: a
        query only for a viewer restricted there, or whose appeal of one was
        lately granted (both asked in the post's own query)."""
        if not self.user.is_authenticated:
            return []
        journal = self.post.journal
        standings = []
        if self.noted.get("viewer_restricted"):
            standings = appeals.restriction_standings(
                author=self.user, journal_id=journal.pk
            )
        if not standings and self.noted.get("viewer_appeal_granted"):
            lately = appeals.granted_lately(author=self.user, journal_id=journal.pk)
            standings = [lately] if lately else []
        offers = []
        for standing in standings:
            kind = standing.decision.action.removeprefix("author.")
            offer = appeal_offer(
                standing,
                key=kind,
                url=reverse("moderation:appeal_restriction", args=(journal.name, kind)),
                label=gettext("Appeal the ban")
                if kind == AuthorRestriction.Kind.BAN
                else gettext("Appeal the screening"),
            )
            if offer is not None and not offer.status and kind != "ban":
                # "You are banned" says itself; a screening shows only on a
                # held comment, so it is said here, where it may be appealed.
                offer = replace(
                    offer,
                    status=gettext(
                        "Your comments in this journal wait for a moderator "
                        "before they show."
                    ),
                )
            if offer is not None:
                offers.append(offer)
        return offers


def appeal_offer(standing, *, key: str, url: str, label: str) -> AppealOffer | None:
    """A decision's appeal as the page shows it; None when there is nothing to
    say (never appealed, and too late or undone)."""
    if standing.appeal is None and standing.open_until is None:
        return None
    return AppealOffer(
        key=key,
        status=standing.status,
        state=standing.appeal.state if standing.appeal else "",
        url=url if standing.open_until else "",
        label=label,
        prompt=gettext("Why should a moderator look again?"),
        help=standing.help,
        max_length=appeals.MAX_LENGTH,
    )


class ModerationPlugin:
    def judge(self, draft: Draft) -> Judgement:
        return judging.judge(draft)

    def viewer_annotations(self, user, *, journal_ref: str) -> dict:
        # The journal's scheduled modes, for what the page says above the form.
        asked = {"journal_schedule": judging.schedule_rows(journal_ref)}
        if not user.is_authenticated:
            return asked
        restricted = AuthorRestriction.objects.active().filter(
            journal_id=OuterRef(journal_ref), user_id=user.pk
        )
        banned = restricted.filter(kind=AuthorRestriction.Kind.BAN)
        # An appeal of a ban or screening granted lately: its answer shows
        # where the ban did (moderation.appeals.granted_lately).
        granted = Appeal.objects.filter(
            journal_id=OuterRef(journal_ref),
            author_id=user.pk,
            comment__isnull=True,
            state=Appeal.State.GRANTED,
            decided_at__gte=timezone.now() - appeals.GRANTED_SHOWN,
        )
        return {
            **asked,
            "viewer_is_banned": Exists(banned),
            "viewer_restricted": Exists(restricted),
            "viewer_appeal_granted": Exists(granted),
            # The ban lists the journal follows, by version: each read once per
            # process (moderation.followed_lists), looked up in memory.
            "journal_ban_lists": judging.followed_rows(
                journal_ref, kind=SharedList.Kind.BANS
            ),
        }

    def comment_annotations(self, user) -> dict:
        if not user.is_authenticated:
            return {}
        reported = Report.objects.filter(comment=OuterRef("pk"), reporter_id=user.pk)
        # Asked only of the viewer's own comments.
        appealed = Appeal.objects.filter(comment=OuterRef("pk"), author_id=user.pk)
        return {
            "viewer_reported": Exists(reported),
            "viewer_appealed": Case(
                When(Q(author_id=user.pk), then=Exists(appealed)), default=False
            ),
        }

    def may_comment(self, post, user, roles: ViewerRoles) -> Access:
        return judging.may_comment(post, user, roles)

    def comment_stored(
        self, comment, *, created: bool, was_held: bool, origin: Origin | None = None
    ) -> None:
        if not judging.work_after_storing(
            created=created,
            held=comment.is_held and not was_held,
            reply=comment.parent_id is not None,
            shadowed=shadows.holds_handover(),
        ):
            # What the judgement said (the write path skips this call then).
            return
        # What a shadow rule set would have done with it (moderation.shadows).
        shadows.record_handed_over(comment)
        if created and comment.parent_id is not None:
            # A reply feeds its sub-thread's heat: one cache round trip.
            heat.count_reply(comment)
        # Mail as tasks, enqueued with the comment (moderation.tasks).
        if comment.is_held and not was_held:
            tasks.mail_held_comment(comment.pk)
        elif created and comment.parent_id is not None:
            tasks.mail_reply(comment.pk)

    def post_moved(self, post, *, from_journal_id: int, comment_count: int, by) -> None:
        services.post_moved(
            post=post,
            from_journal_id=from_journal_id,
            comment_count=comment_count,
            by=by,
        )

    def tools(self, post, user, roles: ViewerRoles) -> PostTools:
        return PostTools(post, user, roles)

    def issue_proof(self, post_id: int) -> str:
        return antibot.issue(post_id)

    def read_proof(self, *, token: str, post_id: int, honeypot: bool = False):
        return antibot.check(token=token, post_id=post_id, honeypot_filled=honeypot)
