"""E-mail to moderators and authors. Every function here runs in a task
(``moderation.tasks``), enqueued with the change it reports, so nobody is told
about a change that was rolled back and no request waits for the mail server.

A task may run twice (a retry, a worker that died): each mail has a delivery key
made of its kind, the ``event`` the task was enqueued for and what it is about,
and goes through the outbox (``accounts.outbox``), which sends a key once. What
a run finds recorded under its keys already, it leaves alone, so its side
effects (the hour's reply allowance, a digest row) are not taken twice.

Mail goes only to confirmed addresses (``User.mail_address``), so nobody can
point the site's mail at a stranger. Reply mails go only for published replies,
at most REPLY_MAILS_PER_HOUR to one person per hour; the rest wait and go out
together as one digest an hour later (``send_reply_digests``, run by the
``send_mail_digests`` command from cron, and on the recipient's next reply).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts import outbox
from accounts import tasks as mail_tasks
from accounts.outbox import Mail
from journal.models import Comment, CommentState, Journal

from .models import Appeal, AuthorRestriction, DeferredReplyMail

HELD_DIGEST_SECONDS = 10 * 60
REPLY_MAILS_PER_HOUR = 3
REPLY_WINDOW = timedelta(hours=1)


def _site_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def _key(kind: str, event: str, about: int) -> str:
    return f"{kind}:{event}:{about}"


def _not_told(items, event: str, *kinds: str) -> list:
    """The items none of whose mails for this event were recorded yet (a run
    before this one may have): one query."""
    items = list(items)
    keys = {item.pk: {_key(kind, event, item.pk) for kind in kinds} for item in items}
    done = outbox.recorded(key for item_keys in keys.values() for key in item_keys)
    return [item for item in items if not keys[item.pk] & done]


def held_comment_waiting(comment_id: int, *, event: str) -> None:
    """Tell the journal's moderators something waits: one mail per 10 minutes each.

    The mail lists what waits in every journal the moderator looks after, so a
    moderator of several busy journals still gets one mail, not one per journal.
    Nothing goes when nothing waits any more (decided before the task ran).
    """

    comment = (
        Comment.objects.select_related("journal__owner").filter(pk=comment_id).first()
    )
    if comment is None:
        return
    journal = comment.journal
    moderators = [
        moderator
        for moderator in {journal.owner, *journal.moderators.all()}
        if moderator.mail_address
    ]
    messages = []
    for moderator in _not_told(moderators, event, "held"):
        held = Comment.objects.filter(
            journal__in=Journal.objects.moderated_by(moderator), state=CommentState.HELD
        )
        total = held.count()
        # cache.add is atomic: only the first held comment in the window mails.
        if not total or not cache.add(
            f"notify:held:{moderator.pk}", 1, HELD_DIGEST_SECONDS
        ):
            continue
        waiting = list(
            held.select_related("post", "author", "journal").order_by("id")[:20]
        )
        subject = ngettext(
            "[%(journal)s] %(count)s comment awaiting moderation",
            "[%(journal)s] %(count)s comments awaiting moderation",
            total,
        ) % {"journal": journal.name, "count": total}
        messages.append(
            _message(
                _key("held", event, moderator.pk),
                subject,
                "moderation/email/held.txt",
                {
                    "journal": journal,
                    "waiting": waiting,
                    "total": total,
                    "queue_url": _site_url("/moderation/"),
                },
                moderator.mail_address,
            )
        )
    _send_all(messages)


def _message(key: str, subject: str, template: str, context: dict, recipient: str):
    body = render_to_string(template, {**context, "site_url": _site_url("")})
    # Names in a subject are one line by validation; make sure of it here too,
    # since a header with a line break cannot be sent at all.
    subject = " ".join("".join(c if c.isprintable() else " " for c in subject).split())
    return Mail(key, recipient, subject, body)


def _reply_recipient(reply):
    """Who to tell about a published reply: the parent's author, if confirmed."""

    parent = reply.parent
    if reply.state != CommentState.PUBLISHED or parent is None:
        return None
    if parent.author is None or not parent.author.mail_address:
        return None
    if reply.author_id is not None and reply.author_id == parent.author_id:
        return None
    return parent.author


def _take_reply_allowance(recipient_id: int) -> bool:
    """Use one of the recipient's reply mails for this hour; False when spent.

    Counted in the cache (Redis in production), so every app server shares it.
    """
    key = f"notify:replies:{recipient_id}"
    cache.add(key, 0, int(REPLY_WINDOW.total_seconds()))
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls: a new hour begins
        cache.add(key, 1, int(REPLY_WINDOW.total_seconds()))
        count = 1
    return count <= REPLY_MAILS_PER_HOUR


def _reply_messages(replies, event: str) -> list:
    """Mail for the authors the ``replies`` answer, for those who have not had
    the hour's share; the others' replies wait for a digest (one query for all
    of them), and whoever had replies waiting past the hour gets that digest
    now."""

    messages, deferred, mailed = [], [], set()
    for reply in replies:
        recipient = _reply_recipient(reply)
        if recipient is None:
            continue
        if not _take_reply_allowance(recipient.pk):
            deferred.append(DeferredReplyMail(recipient=recipient, reply=reply))
            continue
        mailed.add(recipient.pk)
        messages.append(
            _message(
                _key("reply", event, reply.pk),
                gettext("%(name)s replied to your comment")
                % {"name": reply.author_label},
                "moderation/email/reply.txt",
                {
                    "reply": reply,
                    "parent": reply.parent,
                    "url": _site_url(reply.get_absolute_url()),
                },
                recipient.mail_address,
            )
        )
    if deferred:
        DeferredReplyMail.objects.bulk_create(deferred, ignore_conflicts=True)
        for row in deferred:
            cache.set(_waiting_key(row.recipient_id), 1, _WAITING_FLAG_SECONDS)
    waiting = [rid for rid in mailed if cache.get(_waiting_key(rid))]
    if waiting:
        send_reply_digests(recipient_ids=waiting)
    return messages


# A flag in the cache says a recipient has replies waiting, so that a reply
# mail costs no query to find out; the periodic command catches the rest.
_WAITING_FLAG_SECONDS = 3 * 60 * 60


def _waiting_key(recipient_id: int) -> str:
    return f"notify:replies-waiting:{recipient_id}"


def _approved_message(comment, event: str):
    if comment.author is None or not comment.author.mail_address:
        return None
    return _message(
        _key("approved", event, comment.pk),
        gettext("Your comment was approved"),
        "moderation/email/approved.txt",
        {"comment": comment, "url": _site_url(comment.get_absolute_url())},
        comment.author.mail_address,
    )


def _rejected_message(comment, reason_label: str, note: str, event: str):
    if comment.author is None or not comment.author.mail_address:
        return None
    return _message(
        _key("rejected", event, comment.pk),
        gettext("Your comment was not published"),
        "moderation/email/rejected.txt",
        {
            "comment": comment,
            "reason": reason_label,
            "note": note,
            "url": _site_url(comment.post.get_absolute_url()),
        },
        comment.author.mail_address,
    )


def _comments(comment_ids):
    """The comments with what their mails need, skipping those nobody can be told
    about (anonymous authors replying to anonymous comments)."""

    someone_to_tell = Q(
        author__email__gt="", author__email=F("author__confirmed_email")
    ) | Q(
        parent__author__email__gt="",
        parent__author__email=F("parent__author__confirmed_email"),
    )
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
    """Record the mails in the outbox and send them over one connection (a
    batch decision may mail hundreds of authors). A mail that cannot be built
    is logged and the rest still go; one the server refuses is tried again
    later, and after the last attempt logged as an error and marked failed
    (``accounts.outbox``). Mail never fails the change it reports: that change
    is committed already.
    """
    mail_tasks.send(message for message in messages if message is not None)


def reply_posted(reply_id: int, *, event: str) -> None:
    """Tell a comment's author that someone answered (never for their own reply)."""
    replies = _not_told(_comments([reply_id]), event, "reply")
    _send_all(_reply_messages(replies, event))


def send_reply_digests(*, recipient_ids=None, now=None) -> int:
    """Send every recipient whose held-back replies waited an hour one mail
    listing them all; return how many mails went out.

    Each recipient's rows are claimed and the digest recorded in the outbox in
    one transaction, so two runs at once never send the same digest twice, and
    a run that fails part-way leaves the rows for the next one.
    """

    now = now or timezone.now()
    waiting = DeferredReplyMail.objects.filter(sent_at__isnull=True)
    if recipient_ids is not None:
        waiting = waiting.filter(recipient_id__in=list(recipient_ids))
    due = (
        waiting.values("recipient_id")
        .annotate(first=Min("created_at"))
        .filter(first__lte=now - REPLY_WINDOW)
        .values_list("recipient_id", flat=True)
    )
    mail_ids = []
    for recipient_id in list(due):
        with transaction.atomic():
            digest = _claim_digest(waiting.filter(recipient_id=recipient_id), now)
            if digest is not None:
                mail_ids += outbox.record([digest])
    mail_tasks.deliver(mail_ids)
    return len(mail_ids)


def _claim_digest(rows, now):
    """Claim one recipient's waiting replies; the digest listing them, or None."""
    rows = list(
        rows.select_related("recipient", "reply__post__journal", "reply__author")
    )
    claimed = DeferredReplyMail.objects.filter(
        pk__in=[row.pk for row in rows], sent_at__isnull=True
    ).update(sent_at=now)
    if not rows or claimed != len(rows):
        return None  # another run took them
    recipient = rows[0].recipient
    cache.delete(_waiting_key(recipient.pk))
    replies = [row.reply for row in rows if row.reply.state == CommentState.PUBLISHED]
    if not replies or not recipient.mail_address:
        return None
    subject = ngettext(
        "%(count)s more reply to your comments",
        "%(count)s more replies to your comments",
        len(replies),
    ) % {"count": len(replies)}
    return _message(
        # The rows are claimed once: the first one names the digest.
        f"digest:{rows[0].pk}:{recipient.pk}",
        subject,
        "moderation/email/reply_digest.txt",
        {
            "replies": [
                (reply, _site_url(reply.get_absolute_url())) for reply in replies
            ]
        },
        recipient.mail_address,
    )


def comments_approved(comment_ids, *, event: str) -> None:
    """Tell each author their comment is live, and the authors they replied to.

    One query for the whole batch, however many comments were approved."""
    comments = _not_told(_comments(comment_ids), event, "approved", "reply")
    messages = [_approved_message(comment, event) for comment in comments]
    _send_all([*messages, *_reply_messages(comments, event)])


def comment_approved(comment_id: int, *, event: str) -> None:
    comments = _not_told(_comments([comment_id]), event, "approved")
    _send_all(_approved_message(comment, event) for comment in comments)


def comments_rejected(comment_ids, reason_label: str, note: str, *, event: str) -> None:
    """Tell each author why their comment was not published: one query in all."""
    _send_all(
        _rejected_message(comment, reason_label, note, event)
        for comment in _not_told(_comments(comment_ids), event, "rejected")
    )


def author_restricted(restriction_id: int, sentence: str) -> None:
    """Tell an author, in one sentence, that the journal's ladder screened or
    banned them, and why. (Called after commit by ``moderation.strikes``, or
    from its task, ``moderation.tasks.author_restricted``.)"""
    restriction = (
        AuthorRestriction.objects.select_related("user", "journal")
        .filter(pk=restriction_id)
        .first()
    )
    if restriction is None or not restriction.user.mail_address:
        return
    _send_all(
        [
            _message(
                # One restriction, one mail: its row names it.
                f"restricted:{restriction.pk}",
                gettext("Your comments in %(journal)s")
                % {"journal": restriction.journal.title},
                "moderation/email/restricted.txt",
                {
                    "sentence": sentence,
                    "url": _site_url(restriction.journal.get_absolute_url()),
                },
                restriction.user.mail_address,
            )
        ]
    )


def appeal_decided(appeal_id: int, *, event: str) -> None:
    """Tell an author their appeal was granted or denied, with the moderator's
    answer (never the moderator's name), and where to see it."""
    appeal = (
        Appeal.objects.select_related("author", "journal", "comment__post__journal")
        .filter(pk=appeal_id)
        .exclude(state=Appeal.State.OPEN)
        .first()
    )
    if appeal is None or not appeal.author.mail_address:
        return
    if not _not_told([appeal], event, "appeal"):  # a run before this one sent it
        return
    granted = appeal.state == Appeal.State.GRANTED
    subject = (
        gettext("Your appeal in %(journal)s was granted")
        if granted
        else gettext("Your appeal in %(journal)s was denied")
    ) % {"journal": appeal.journal.title}
    where = appeal.comment or appeal.journal
    _send_all(
        [
            _message(
                _key("appeal", event, appeal.pk),
                subject,
                "moderation/email/appeal_decided.txt",
                {
                    "appeal": appeal,
                    "granted": granted,
                    "url": _site_url(where.get_absolute_url()),
                },
                appeal.author.mail_address,
            )
        ]
    )
