"""E-mail to moderators and authors. Every function here is meant to run after
the transaction commits (callers use ``transaction.on_commit``), so nobody is told
about a change that was rolled back."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string

HELD_DIGEST_SECONDS = 10 * 60


def _site_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _send(subject: str, template: str, context: dict, recipient: str) -> None:
    body = render_to_string(template, {**context, "site_url": _site_url("")})
    send_mail(subject, body, None, [recipient], fail_silently=False)


def held_comment_waiting(comment_id: int) -> None:
    """Tell the journal's moderators something waits: one mail per 10 minutes each.

    The mail lists what waits in every journal the moderator looks after, so a
    moderator of several busy journals still gets one mail, not one per journal.
    """
    from journal.models import Comment, CommentState, Journal

    comment = Comment.objects.select_related("journal__owner").get(pk=comment_id)
    journal = comment.journal
    for moderator in {journal.owner, *journal.moderators.all()}:
        if not moderator.email:
            continue
        # cache.add is atomic: only the first held comment in the window mails.
        if not cache.add(f"notify:held:{moderator.pk}", 1, HELD_DIGEST_SECONDS):
            continue
        held = Comment.objects.filter(
            journal__in=Journal.objects.moderated_by(moderator), state=CommentState.HELD
        )
        total = held.count()
        waiting = list(
            held.select_related("post", "author", "journal").order_by("id")[:20]
        )
        plural = "s" if total != 1 else ""
        _send(
            f"[{journal.name}] {total} comment{plural} awaiting moderation",
            "moderation/email/held.txt",
            {
                "journal": journal,
                "waiting": waiting,
                "total": total,
                "queue_url": _site_url("/moderation/"),
            },
            moderator.email,
        )


def reply_posted(reply_id: int) -> None:
    """Tell a comment's author that someone answered (never for their own reply)."""
    from journal.models import Comment

    reply = Comment.objects.select_related("parent__author", "author", "post").get(
        pk=reply_id
    )
    parent = reply.parent
    if parent is None or parent.author is None or not parent.author.email:
        return
    if reply.author_id is not None and reply.author_id == parent.author_id:
        return
    _send(
        f"{reply.author_label} replied to your comment",
        "moderation/email/reply.txt",
        {"reply": reply, "parent": parent, "url": _site_url(reply.get_absolute_url())},
        parent.author.email,
    )


def comment_approved(comment_id: int) -> None:
    from journal.models import Comment

    comment = Comment.objects.select_related("author", "post").get(pk=comment_id)
    if comment.author is None or not comment.author.email:
        return
    _send(
        "Your comment was approved",
        "moderation/email/approved.txt",
        {"comment": comment, "url": _site_url(comment.get_absolute_url())},
        comment.author.email,
    )


def comment_rejected(comment_id: int, reason_label: str, note: str) -> None:
    from journal.models import Comment

    comment = Comment.objects.select_related("author", "post").get(pk=comment_id)
    if comment.author is None or not comment.author.email:
        return
    _send(
        "Your comment was not published",
        "moderation/email/rejected.txt",
        {
            "comment": comment,
            "reason": reason_label,
            "note": note,
            "url": _site_url(comment.post.get_absolute_url()),
        },
        comment.author.email,
    )
