"""The moderation plugin as the platform sees it: the implementation of
``journal.plugins.Plugin`` that ``ModerationConfig`` names.

Each method is a thin door into the plugin's services: judging
(``moderation.judging``), notifications, the anonymous author's proof
(``moderation.antibot``) and what a post page shows of moderation.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from journal.models import CommentState
from journal.plugins import Access, Draft, Judgement, Origin, ViewerRoles

from . import antibot, judging, learning, services, tasks
from .models import AuthorRestriction, Report, ReportReason

# A comment id no database reaches, replaced by each real id: one reverse() per
# page and action instead of one per comment.
_ID = 987654321987654321


class PostTools:
    """What one viewer sees of moderation on a post page: for moderators, the
    queue and each comment's thread actions; for other readers, Report."""

    def __init__(self, post, user, roles: ViewerRoles):
        self.user = user
        self.is_moderator = roles.is_moderator
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


class ModerationPlugin:
    def judge(self, draft: Draft) -> Judgement:
        return judging.judge(draft)

    def viewer_annotations(self, user, *, journal_ref: str) -> dict:
        if not user.is_authenticated:
            return {}
        banned = AuthorRestriction.objects.active().filter(
            journal_id=OuterRef(journal_ref),
            user_id=user.pk,
            kind=AuthorRestriction.Kind.BAN,
        )
        return {"viewer_is_banned": Exists(banned)}

    def comment_annotations(self, user) -> dict:
        if not user.is_authenticated:
            return {}
        reported = Report.objects.filter(comment=OuterRef("pk"), reporter_id=user.pk)
        return {"viewer_reported": Exists(reported)}

    def may_comment(self, post, user, roles: ViewerRoles) -> Access:
        return judging.may_comment(post, user, roles)

    def comment_stored(
        self, comment, *, created: bool, was_held: bool, origin: Origin | None = None
    ) -> None:
        # The post came with the comment, the journal with the post: no query.
        if created and comment.post.journal.spam_threshold:
            learning.remember_fingerprint(
                comment,
                user_id=comment.author_id,
                ip_address=origin.ip_address if origin else None,
            )
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
