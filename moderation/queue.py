"""Reading the moderation queue: tabs, filters, keyset pages, counts and the
authors' records, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

from journal.models import Comment, CommentRevision, CommentState, Journal, Post
from journal.params import optional_id

from . import appeals, claims, heat, notes, reporters, rules, shadows, strikes, trust
from .diffs import word_changes
from .models import (
    Appeal,
    AuditEntry,
    AuthorNote,
    AuthorRestriction,
    Report,
    ReportReason,
    ShadowRuleSet,
    ShadowVerdict,
)
from .services import Seen, can_undo

PAGE_SIZE = 50
# Counts stop here ("10,000+"): beyond it an exact figure helps nobody, and
# counting stays cheap however long the queue grows.
COUNT_CAP = 10_000
TABS = ("held", "reported", "decided", "appeals")
FILTER_CODES = rules.RULE_CODES | {rules.MODERATOR_SCREENING}
HOLD_CODES = sorted(
    code
    for code in FILTER_CODES
    if code.startswith(
        (
            "screening.",
            "links.",
            "words.held",
            "account.",
            "spam.",
            "history.",
            "reports.",
            "schedule.screening",
            "heat.",
        )
    )
)


# The comment states as the log of decisions writes them ("held → published").
STATE_WORDS = {
    CommentState.PUBLISHED: pgettext_lazy("comment state", "published"),
    CommentState.HELD: pgettext_lazy("comment state", "held"),
    CommentState.REJECTED: pgettext_lazy("comment state", "rejected"),
    CommentState.SPAM: pgettext_lazy("comment state", "spam"),
    CommentState.DELETED: pgettext_lazy("comment state", "deleted"),
    CommentState.REMOVED: pgettext_lazy("comment state", "removed"),
}


def state_word(state: str) -> str:
    """A state as the log writes it; "" stays "", an unknown state its code."""
    return str(STATE_WORDS.get(state, state))


@dataclass
class Filters:
    tab: str = "held"
    journal: Journal | None = None
    post_id: int | None = None
    rule: str = ""
    author: str = ""
    after: int | None = None
    before: int | None = None

    def query(self, **changes) -> str:
        """The query string for these filters with ``changes`` applied."""
        values = {
            "tab": self.tab,
            "journal": self.journal.name if self.journal else "",
            "post": self.post_id or "",
            "rule": self.rule,
            "author": self.author,
        }
        values.update(changes)
        query = QueryDict(mutable=True)
        for key, value in values.items():
            if value not in ("", None):
                query[key] = value
        return query.urlencode()


def read_filters(params, journals: list[Journal]) -> Filters:
    """Parse the query string; a journal or post outside ``journals`` is a 404."""
    tab = params.get("tab", "held")
    filters = Filters(tab=tab if tab in TABS else "held")
    name = params.get("journal", "")
    if name:
        filters.journal = next((j for j in journals if j.name == name), None)
        if filters.journal is None:
            raise Http404("No such journal in your queue.")
    filters.post_id = optional_id(params.get("post"))
    if filters.post_id is not None:
        allowed = [j.pk for j in ([filters.journal] if filters.journal else journals)]

        if not Post.objects.filter(pk=filters.post_id, journal_id__in=allowed).exists():
            raise Http404("No such post in your queue.")
    rule = params.get("rule", "")
    filters.rule = rule if rule in FILTER_CODES else ""
    filters.author = params.get("author", "").strip()[:150]
    filters.after = optional_id(params.get("after"))
    filters.before = optional_id(params.get("before"))
    return filters


class CountUpTo(Subquery):
    """How many rows a (sliced) subquery returns: COUNT over a LIMIT, so a
    journal with 100,000 held comments costs no more than one with COUNT_CAP."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


def _capped(queryset) -> CountUpTo:
    return CountUpTo(queryset.order_by()[: COUNT_CAP + 1])


def _held(**lookups):
    return Comment.objects.filter(
        journal_id=OuterRef("pk"), state=CommentState.HELD, **lookups
    )


def _tab_counts() -> dict:
    """Per-journal counts for the tabs, and the newest held comment (where the
    live page's "new" bar starts), as annotations of the journals' query."""
    return {
        "newest_held": Subquery(_held().order_by("-pk").values("pk")[:1]),
        "held_count": _capped(_held().values("pk")),
        "reported_count": _capped(
            Report.objects.filter(journal_id=OuterRef("pk"), dismissed_at__isnull=True)
            .values("comment_id")
            .distinct()
        ),
        "decided_count": _capped(
            AuditEntry.objects.filter(
                journal_id=OuterRef("pk"),
                action__startswith="comment.",
                created_at__gte=timezone.now() - timedelta(days=1),
            ).values("pk")
        ),
        "appeals_count": _capped(
            Appeal.objects.filter(
                journal_id=OuterRef("pk"), state=Appeal.State.OPEN
            ).values("pk")
        ),
    }


def count_label(counts: dict[int, int]) -> str:
    """The total of per-journal counts, "10,000+" style once any passed the cap."""
    total = sum(counts.values())
    capped = any(count > COUNT_CAP for count in counts.values())
    if capped:
        total = sum(min(count, COUNT_CAP) for count in counts.values())
    return f"{total:,}+" if capped else f"{total:,}"


@dataclass
class AuthorRecord:
    published: int = 0
    rejected: int = 0
    spam: int = 0
    first_comment: object = None
    banned: bool = False
    screened: bool = False
    # What the author's trust rests on (moderation.trust), and where it stands.
    approved: int = 0
    standing: int = 0
    standing_days: int = 0
    trust_needed: int = 1
    trust_on: bool = True
    # Rejections and spam decisions within the journal's strike window.
    strikes: int = 0
    # The moderators' notes on the author in this journal (moderation.notes).
    notes: list = field(default_factory=list)

    @property
    def trust_count(self) -> int:
        return self.approved + (self.standing if self.standing_days else 0)

    @property
    def trusted(self) -> bool:
        return self.trust_on and self.trust_count >= self.trust_needed


@dataclass
class QueuePage:
    filters: Filters
    journals: list[Journal]
    items: list = field(default_factory=list)
    has_next: bool = False
    has_previous: bool = False
    held_counts: dict = field(default_factory=dict)
    reported_counts: dict = field(default_factory=dict)
    decided_counts: dict = field(default_factory=dict)
    appeals_counts: dict = field(default_factory=dict)
    # The newest held comment in these journals when the page was drawn.
    newest_held: int = 0
    # Heat screenings of the items' sub-threads, each once (moderation.heat).
    heat_screenings: list = field(default_factory=list)
    # The shadow rule sets running in these journals: (journal, its last days
    # as moderation.shadows.DayCounts, their totals).
    shadows: list = field(default_factory=list)

    def _total(self, counts: dict) -> int:
        return sum(counts.values())

    @property
    def tab_counts(self) -> dict[str, int]:
        """Totals per tab; a journal past COUNT_CAP adds COUNT_CAP + 1."""
        return {
            "held": self._total(self.held_counts),
            "reported": self._total(self.reported_counts),
            "decided": self._total(self.decided_counts),
            "appeals": self._total(self.appeals_counts),
        }

    @property
    def tabs(self) -> list[tuple[str, str, str, str]]:
        labels = {
            "held": pgettext("queue tab", "Held"),
            "reported": pgettext("queue tab", "Reported"),
            "decided": pgettext("queue tab", "Decided (24 h)"),
            "appeals": pgettext("queue tab", "Appeals"),
        }
        counts = {
            "held": self.held_counts,
            "reported": self.reported_counts,
            "decided": self.decided_counts,
            "appeals": self.appeals_counts,
        }
        return [
            (tab, labels[tab], count_label(counts[tab]), self.filters.query(tab=tab))
            for tab in TABS
        ]

    @property
    def journal_rows(self):
        return [
            (
                j,
                count_label({j.pk: self.held_counts.get(j.pk, 0)}),
                count_label({j.pk: self.reported_counts.get(j.pk, 0)}),
            )
            for j in self.journals
        ]

    @property
    def next_query(self) -> str:
        return self.filters.query(after=self.items[-1].pk) if self.items else ""

    @property
    def previous_query(self) -> str:
        return self.filters.query(before=self.items[0].pk) if self.items else ""


def _keyset(queryset, filters: Filters, *, newest_first: bool):
    """One page after/before a cursor, plus whether more lie on each side."""
    forward = "-pk" if newest_first else "pk"
    backward = "pk" if newest_first else "-pk"
    if filters.before is not None:
        cursor = {"pk__gt" if newest_first else "pk__lt": filters.before}
        rows = list(queryset.filter(**cursor).order_by(backward)[: PAGE_SIZE + 1])
        has_previous = len(rows) > PAGE_SIZE
        return list(reversed(rows[:PAGE_SIZE])), True, has_previous
    if filters.after is not None:
        queryset = queryset.filter(
            **{"pk__lt" if newest_first else "pk__gt": filters.after}
        )
    rows = list(queryset.order_by(forward)[: PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE, filters.after is not None


def _keyset_by_weight(queryset, filters: Filters):
    """The reported tab: heaviest reports first, then oldest; the cursor is a
    comment id, whose weight is looked up to continue after it."""
    forward, backward = ("-report_weight", "pk"), ("report_weight", "-pk")
    cursor_id = filters.before if filters.before is not None else filters.after
    if cursor_id is None:
        rows = list(queryset.order_by(*forward)[: PAGE_SIZE + 1])
        return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE, False
    weight = (
        queryset.filter(pk=cursor_id).values_list("report_weight", flat=True).first()
    )
    if weight is None:  # the cursor's comment left the tab: start again
        rows = list(queryset.order_by(*forward)[: PAGE_SIZE + 1])
        return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE, False
    lighter = Q(report_weight__lt=weight) | Q(report_weight=weight, pk__gt=cursor_id)
    heavier = Q(report_weight__gt=weight) | Q(report_weight=weight, pk__lt=cursor_id)
    if filters.before is not None:
        rows = list(queryset.filter(heavier).order_by(*backward)[: PAGE_SIZE + 1])
        return list(reversed(rows[:PAGE_SIZE])), True, len(rows) > PAGE_SIZE
    rows = list(queryset.filter(lighter).order_by(*forward)[: PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE, True


def _comment_filters(queryset, filters: Filters):
    if filters.post_id is not None:
        queryset = queryset.filter(post_id=filters.post_id)
    if filters.rule:
        queryset = queryset.filter(rule_codes__contains=f" {filters.rule} ")
    if filters.author:
        queryset = queryset.filter(author__username=filters.author)
    return queryset


def load(user, params) -> QueuePage:
    """The queue as ``user`` sees it; 404 for someone who moderates nothing."""
    journals = list(
        Journal.objects.moderated_by(user)
        .annotate(**_tab_counts(), running_shadow=_running_shadow())
        .order_by("name")
    )
    if not journals:
        raise Http404("You do not moderate any journal.")
    filters = read_filters(params, journals)
    journal_ids = [filters.journal.pk] if filters.journal else [j.pk for j in journals]
    page = QueuePage(filters=filters, journals=journals)
    page.held_counts = {j.pk: j.held_count for j in journals}
    page.reported_counts = {j.pk: j.reported_count for j in journals}
    page.decided_counts = {j.pk: j.decided_count for j in journals}
    page.appeals_counts = {j.pk: j.appeals_count for j in journals}
    page.newest_held = max((j.newest_held or 0 for j in journals), default=0)
    page.shadows = _shadow_panels([filters.journal] if filters.journal else journals)

    if filters.tab == "decided":
        entries = AuditEntry.objects.filter(journal_id__in=journal_ids).select_related(
            "comment__post__journal", "comment__author", "journal", "undone_by"
        )
        if filters.post_id is not None:
            entries = entries.filter(comment__post_id=filters.post_id)
        if filters.author:
            entries = entries.filter(comment__author__username=filters.author)
        page.items, page.has_next, page.has_previous = _keyset(
            entries, filters, newest_first=True
        )

        now = timezone.now()
        for entry in page.items:
            entry.can_undo = can_undo(entry, now)
            entry.from_label = state_word(entry.from_state)
            entry.to_label = state_word(entry.to_state)
        _attach_people(page.items)
        return page
    if filters.tab == "appeals":
        _load_appeals(user, page, journal_ids)
        return page

    # The journals are already in hand: no need to join them in again.
    comments = (
        Comment.objects.filter(journal_id__in=journal_ids)
        .select_related("post", "author", "parent__author")
        .defer("body_source", "parent__body_source")
        .annotate(shadow_verdict_id=_latest_shadow_verdict())
    )
    open_reports = (
        Report.objects.filter(dismissed_at__isnull=True)
        .select_related("reporter")
        .order_by("-weight", "pk")
    )
    if filters.tab == "held":
        comments = _comment_filters(comments.filter(state=CommentState.HELD), filters)
        page.items, page.has_next, page.has_previous = _keyset(
            comments, filters, newest_first=False
        )
        # Readers' reports are why some wait: theirs too, in one query.
        screened = [c for c in page.items if " reports.weighted " in c.rule_codes]
        prefetch_related_objects(
            screened, Prefetch("reports", queryset=open_reports, to_attr="open_reports")
        )
    else:
        comments = (
            comments.filter(
                state=CommentState.PUBLISHED,
                pk__in=open_reports.values("comment_id"),
            )
            .prefetch_related(
                Prefetch("reports", queryset=open_reports, to_attr="open_reports")
            )
            .annotate(report_weight=reporters.open_weight())
        )
        comments = _comment_filters(comments, filters)
        page.items, page.has_next, page.has_previous = _keyset_by_weight(
            comments, filters
        )
    by_id = {journal.pk: journal for journal in journals}
    for comment in page.items:
        comment.journal = comment.post.journal = by_id[comment.journal_id]
        # What the moderator saw, carried by every decision button of the item.
        comment.seen_token = Seen(comment.pk, comment.state, comment.revision).token
    _attach_author_records(user, page.items)
    _attach_changes_since_approval(page.items)
    _attach_claims(user, page.items)
    _attach_shadow_verdicts(page.items)
    page.heat_screenings = _attach_heat(page.items)
    return page


def _attach_heat(comments: list[Comment]) -> list:
    """The heat screening running on each held comment's sub-thread, for its
    banner (``comment.heat``): a query only when a comment held for heat is on
    the page. Returns the screenings shown, each once (their Lift forms)."""
    held_for_heat = {
        comment.pk: heat.thread_of(comment)
        for comment in comments
        if " heat.screened " in comment.rule_codes
    }
    running = heat.active_for_threads(set(held_for_heat.values()) - {None})
    for comment in comments:
        comment.heat = running.get(held_for_heat.get(comment.pk))
    return sorted(running.values(), key=lambda screening: screening.pk)


def _running_shadow() -> Subquery:
    return Subquery(
        ShadowRuleSet.objects.filter(
            journal_id=OuterRef("pk"), state=ShadowRuleSet.State.SHADOW
        ).values("pk")[:1]
    )


def _shadow_panels(journals: list[Journal]) -> list:
    """Each running shadow's disagreements with live, day by day: a query only
    when a shadow runs in one of ``journals``."""
    running = {j.running_shadow: j for j in journals if j.running_shadow}
    days = shadows.counts_by_day(list(running))
    return [
        (journal, days[shadow_id], shadows.totals(days[shadow_id]))
        for shadow_id, journal in running.items()
    ]


def _latest_shadow_verdict() -> Subquery:
    """The id of what the running shadow rule set said of the comment as it
    stands (its latest judging: an edit is judged again)."""
    return Subquery(
        ShadowVerdict.objects.filter(
            comment_id=OuterRef("pk"),
            # Not a shadow of the journal a moved post came from.
            shadow__journal_id=OuterRef("journal_id"),
            shadow__state=ShadowRuleSet.State.SHADOW,
        )
        .order_by("-pk")
        .values("pk")[:1]
    )


def _attach_shadow_verdicts(comments: list[Comment]) -> None:
    """Where the running shadow rule set would have decided a comment otherwise,
    its verdict (``comment.shadow_verdict``, else None). A query only when the
    shadow judged a comment on the page."""
    ids = [c.shadow_verdict_id for c in comments if c.shadow_verdict_id]
    found = (
        {v.pk: v for v in ShadowVerdict.objects.filter(pk__in=ids, disagrees=True)}
        if ids
        else {}
    )
    for comment in comments:
        comment.shadow_verdict = found.get(comment.shadow_verdict_id)


def _attach_claims(user, comments: list[Comment]) -> None:
    """Who else is looking at each item: one cache round trip, no query."""
    found = claims.current(
        (comment.journal_id, comment.pk)
        for comment in comments
        if comment.journal.queue_claims
    )
    for comment in comments:
        comment.claims = found.get(comment.pk, [])
        comment.claim_sentence = claims.sentence(comment.claims, user.pk)


@dataclass
class LiveCounts:
    """What an open queue page polls for (``live``)."""

    tabs: dict[str, str]
    held_total: int
    new_held: int
    claims: dict[int, str]

    def as_json(self) -> dict:
        return {
            "tabs": self.tabs,
            "held": self.held_total,
            "new": self.new_held,
            "claims": {str(pk): text for pk, text in self.claims.items()},
        }


def live(user, *, since: int | None, journal: str = "", items=()) -> LiveCounts:
    """The tab counts, how many comments were held after ``since`` (in
    ``journal`` when given), and the others' claims on ``items``, which are
    (journal id, comment id) pairs of the page. One query, however long the
    queue: every count stops at COUNT_CAP. 404 for someone who moderates nothing.
    """
    annotations = _tab_counts()
    del annotations["newest_held"]
    if since is not None:
        annotations["new_held"] = _capped(_held(pk__gt=since).values("pk"))
    rows = list(
        Journal.objects.moderated_by(user)
        .annotate(**annotations)
        .values("pk", "name", "queue_claims", *annotations)
    )
    if not rows:
        raise Http404("You do not moderate any journal.")
    counts = {tab: {row["pk"]: row[f"{tab}_count"] for row in rows} for tab in TABS}
    claimable = {row["pk"] for row in rows if row["queue_claims"]}
    found = claims.current(
        (journal_id, comment_id)
        for journal_id, comment_id in items
        if journal_id in claimable
    )
    return LiveCounts(
        tabs={tab: count_label(counts[tab]) for tab in TABS},
        held_total=sum(counts["held"].values()),
        new_held=sum(
            row.get("new_held", 0)
            for row in rows
            if not journal or row["name"] == journal
        ),
        claims={
            comment_id: text
            for comment_id, held in found.items()
            if (text := claims.sentence(held, user.pk))
        },
    )


def _attach_people(entries: list[AuditEntry]) -> None:
    """Name the person a ban or screening is about ("Mira Okafor", not "user
    11") and label the reason: a query only when such an entry is on the page."""
    user_ids = {entry.data.get("user") for entry in entries} - {None}
    people = get_user_model().objects.in_bulk(
        [pk for pk in user_ids if isinstance(pk, int)]
    )
    for entry in entries:
        person = people.get(entry.data.get("user"))
        entry.person = person.public_name if person else ""
        entry.reason_label = (
            ReportReason(entry.reason).label
            if entry.reason in ReportReason.values
            else entry.reason
        )


def _attach_changes_since_approval(comments: list[Comment]) -> None:
    """For a held comment edited after a moderator approved it, what changed
    since the approved revision. Costs a query only when such a comment is on
    the page."""
    edited = {
        comment.pk: comment
        for comment in comments
        if comment.approved_revision and comment.revision > comment.approved_revision
    }
    for comment in comments:
        comment.changes_since_approval = None
    if not edited:
        return
    wanted = Q()
    for comment in edited.values():
        wanted |= Q(comment_id=comment.pk, number=comment.approved_revision)
    rows = CommentRevision.objects.filter(wanted).values_list(
        "comment_id", "body_source", "comment__body_source"
    )
    for comment_id, approved_text, current_text in rows:
        edited[comment_id].changes_since_approval = word_changes(
            approved_text, current_text
        )


def _attach_author_records(user, comments: list[Comment]) -> None:
    """Each author's record in the comment's journal: one grouped query. The
    notes on them, as ``user`` may read them (``notes.notes_on``)."""
    pairs = {(c.author_id, c.journal_id) for c in comments if c.author_id}
    if not pairs:
        return
    restrictions = AuthorRestriction.objects.active().filter(
        user_id=OuterRef("author_id"), journal_id=OuterRef("journal_id")
    )
    journals = {c.journal_id: c.journal for c in comments}
    now = timezone.now()
    standing = Q(pk__in=[])
    for journal in journals.values():
        if journal.trust_after_days:
            standing |= Q(journal_id=journal.pk) & trust.standing(
                journal.trust_after_days, now
            )
    rows = (
        Comment.objects.filter(
            author_id__in={a for a, _ in pairs}, journal_id__in={j for _, j in pairs}
        )
        .values("author_id", "journal_id")
        .annotate(
            published=Count("pk", filter=Q(state=CommentState.PUBLISHED)),
            rejected=Count("pk", filter=Q(state=CommentState.REJECTED)),
            spam=Count("pk", filter=Q(state=CommentState.SPAM)),
            approved=Count("pk", filter=trust.approved()),
            standing=Count("pk", filter=standing),
            first_comment=Min("created_at"),
            banned=Exists(restrictions.filter(kind=AuthorRestriction.Kind.BAN)),
            screened=Exists(restrictions.filter(kind=AuthorRestriction.Kind.SCREEN)),
            has_notes=Exists(
                AuthorNote.objects.filter(
                    author_id=OuterRef("author_id"),
                    journal_id=OuterRef("journal_id"),
                    retired_at__isnull=True,
                )
            ),
            strikes=Subquery(
                strikes.strike_entries()
                .filter(strikes.in_window(journals.values(), now))
                .filter(
                    journal_id=OuterRef("journal_id"),
                    comment__author_id=OuterRef("author_id"),
                )
                .order_by()
                .values("journal_id")
                .annotate(total=Count("pk"))
                .values("total"),
                output_field=IntegerField(),
            ),
        )
        .order_by()
    )
    records = {}
    for row in rows:
        journal = journals[row["journal_id"]]
        records[(row["author_id"], row["journal_id"])] = AuthorRecord(
            published=row["published"],
            rejected=row["rejected"],
            spam=row["spam"],
            first_comment=row["first_comment"],
            banned=row["banned"],
            screened=row["screened"],
            approved=row["approved"],
            standing=row["standing"],
            standing_days=journal.trust_after_days,
            trust_needed=max(journal.trusted_after, 1),
            trust_on=journal.trust_approved_authors,
            strikes=row["strikes"] or 0,
        )
    # The notes, in one more query only when an author on the page has some.
    noted = notes.notes_on(
        ((row["author_id"], row["journal_id"]) for row in rows if row["has_notes"]),
        reader=user,
    )
    for key, found in noted.items():
        records[key].notes = found
    for comment in comments:
        comment.author_record = records.get((comment.author_id, comment.journal_id))


def _load_appeals(user, page: QueuePage, journal_ids: list[int]) -> None:
    """The Appeals tab: open appeals, oldest first, each with its decision (what,
    when, who and why), the comment's revisions, the author's record with the
    moderators' notes, and whether ``user`` may answer it. A fixed number of
    queries, however many appeals."""
    filters = page.filters
    found = Appeal.objects.filter(
        journal_id__in=journal_ids, state=Appeal.State.OPEN
    ).select_related("decision", "author", "comment__post__journal", "journal")
    if filters.post_id is not None:
        found = found.filter(comment__post_id=filters.post_id)
    if filters.author:
        found = found.filter(author__username=filters.author)
    page.items, page.has_next, page.has_previous = _keyset(
        found, filters, newest_first=False
    )
    by_id = {journal.pk: journal for journal in page.journals}
    teams = appeals.teams({appeal.journal_id for appeal in page.items})
    for appeal in page.items:
        appeal.journal = by_id[appeal.journal_id]
        # Where its forms come back to, and what names its note form.
        appeal.anchor, appeal.note_key = f"#a{appeal.pk}", f"a{appeal.pk}"
        appeal.may_decide = appeals.may_decide(appeal, user, teams[appeal.journal_id])
        appeal.decision.reason_label = (
            ReportReason(appeal.decision.reason).label
            if appeal.decision.reason in ReportReason.values
            else ""
        )
        appeal.decision.from_label = state_word(appeal.decision.from_state)
        appeal.decision.to_label = state_word(appeal.decision.to_state)
    _attach_revisions(page.items)
    _attach_author_records(user, page.items)


def _attach_revisions(items: list[Appeal]) -> None:
    """Each appealed comment's earlier texts, oldest first: one query, only
    when an appeal of a comment is on the page."""
    ids = {appeal.comment_id for appeal in items if appeal.comment_id}
    revisions: dict[int, list] = {}
    if ids:
        for revision in CommentRevision.objects.filter(comment_id__in=ids).order_by(
            "comment_id", "number"
        ):
            revisions.setdefault(revision.comment_id, []).append(revision)
    for appeal in items:
        appeal.revisions = revisions.get(appeal.comment_id, [])


@dataclass(frozen=True)
class Badge:
    """The top bar's Queue link: whether the user moderates, and the held count."""

    moderates: bool
    held: str = ""

    SECONDS = 60

    def __bool__(self) -> bool:
        return self.moderates

    @staticmethod
    def _key(user) -> str:
        return f"moderation:badge:{user.pk}"

    @classmethod
    def remember(cls, user, held: str) -> None:
        """A page that counted the queue anyway keeps the badge fresh for free."""
        cache.set(cls._key(user), held, cls.SECONDS)

    @classmethod
    def of(cls, user) -> Badge:
        if not user.is_authenticated:
            return cls(False)
        key = cls._key(user)
        cached = cache.get(key)
        if cached is None:
            counts = dict(
                Journal.objects.moderated_by(user)
                .annotate(held=_capped(_held().values("pk")))
                .values_list("pk", "held")
            )
            cached = count_label(counts) if counts else ""
            cache.set(key, cached, cls.SECONDS)
        return cls(bool(cached), cached)
