"""E-mail to moderators and authors. Every function here is meant to run after
the transaction commits (callers use ``transaction.on_commit``), so nobody is told
about a change that was rolled back."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string

HELD_DIGEST_SECONDS = 10 * 60


def _site_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


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
        _send_all(
            [
                _message(
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
            ]
        )


def _message(subject: str, template: str, context: dict, recipient: str):
    body = render_to_string(template, {**context, "site_url": _site_url("")})
    return EmailMessage(subject, body, None, [recipient])


def _reply_message(reply):
    """Mail for the author of the comment ``reply`` answers, if there is one to tell."""
    parent = reply.parent
    if parent is None or parent.author is None or not parent.author.email:
        return None
    if reply.author_id is not None and reply.author_id == parent.author_id:
        return None
    return _message(
        f"{reply.author_label} replied to your comment",
        "moderation/email/reply.txt",
        {"reply": reply, "parent": parent, "url": _site_url(reply.get_absolute_url())},
        parent.author.email,
    )


def _approved_message(comment):
    if comment.author is None or not comment.author.email:
        return None
    return _message(
        "Your comment was approved",
        "moderation/email/approved.txt",
        {"comment": comment, "url": _site_url(comment.get_absolute_url())},
        comment.author.email,
    )


def _rejected_message(comment, reason_label: str, note: str):
    if comment.author is None or not comment.author.email:
        return None
    return _message(
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


def _comments(comment_ids):
    """The comments with what their mails need, skipping those nobody can be told
    about (anonymous authors replying to anonymous comments)."""
    from journal.models import Comment

    someone_to_tell = Q(author__email__gt="") | Q(parent__author__email__gt="")
    return (
        Comment.objects.filter(someone_to_tell, pk__in=list(comment_ids))
        .select_related("author", "post__journal", "parent__author")
        .defer(
            "reasons",
            "post__body_source",
            "post__body_html",
            "parent__body_source",
            "parent__body_html",
            "parent__reasons",
        )
    )


def _send_all(messages) -> None:
    """Send over one connection; a batch decision may mail thousands of authors."""
    messages = [message for message in messages if message is not None]
    if messages:
        get_connection(fail_silently=False).send_messages(messages)


def reply_posted(reply_id: int) -> None:
    """Tell a comment's author that someone answered (never for their own reply)."""
    _send_all(_reply_message(reply) for reply in _comments([reply_id]))


def comments_approved(comment_ids) -> None:
    """Tell each author their comment is live, and the authors they replied to.

    One query for the whole batch, however many comments were approved."""
    messages = []
    for comment in _comments(comment_ids):
        messages += [_approved_message(comment), _reply_message(comment)]
    _send_all(messages)


def comment_approved(comment_id: int) -> None:
    _send_all(_approved_message(comment) for comment in _comments([comment_id]))


def comments_rejected(comment_ids, reason_label: str, note: str) -> None:
    """Tell each author why their comment was not published: one query in all."""
    _send_all(
        _rejected_message(comment, reason_label, note)
        for comment in _comments(comment_ids)
    )
