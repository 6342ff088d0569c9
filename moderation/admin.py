"""The moderation plugin's admin: the journal page gains its word lists, bans
and rule-set history, the comment list gains decisions, and the audit log and
readers' reports are shown read-only. All owner-scoped, like the platform's
admin, which these classes extend (``journal.admin``) and replace."""

from __future__ import annotations

import contextlib

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from journal.admin import (
    CommentAdmin,
    JournalAdmin,
    JournalOwnerInline,
    OwnerScopedAdmin,
    known_people,
    suggest,
)
from journal.forms import PersonField
from journal.models import Comment, CommentState, Journal

from . import services as moderation
from .forms import DistinctWordsFormSet, RestrictionForm, WordEntryForm
from .models import (
    RULE_SETTING_FIELDS,
    AuditEntry,
    AuthorRestriction,
    Report,
    ReportReason,
    RuleSetVersion,
    WordRule,
)
from .queue import COUNT_CAP, CountUpTo, count_label, state_word
from .services import record_rule_set


def readable_changes(changes: dict) -> list[tuple[str, str]]:
    """A rule-set version's ``changes`` ({name: [old, new]}) as (label, text)
    lines: "Hold comments with this many links", "3 → 5"."""
    lines = []
    for name in sorted(changes, key=_in_form_order):
        old, new = changes[name]
        if name == "words":
            lines.append((gettext("Word lists"), _word_changes(old, new)))
            continue
        try:
            field = Journal._meta.get_field(name)
        except FieldDoesNotExist:  # a setting since removed: its name will do
            lines.append((name, f"{old} → {new}"))
            continue
        label = capfirst(str(field.verbose_name))
        if old is None:  # the first version, or a setting added since
            lines.append((label, _setting_value(field, new)))
        else:
            text = f"{_setting_value(field, old)} → {_setting_value(field, new)}"
            lines.append((label, text))
    return lines


def _in_form_order(name: str) -> tuple[int, str]:
    """The settings in the order of the form, any unknown ones, the word lists."""
    if name in RULE_SETTING_FIELDS:
        return RULE_SETTING_FIELDS.index(name), name
    return len(RULE_SETTING_FIELDS) + (name == "words"), name


def _setting_value(field, value) -> str:
    if isinstance(value, bool):
        return gettext("on") if value else gettext("off")
    return str(dict(field.flatchoices).get(value, value))


def _word_changes(old, new) -> str:
    before = {tuple(entry) for entry in old or ()}
    after = {tuple(entry) for entry in new or ()}
    parts = []
    if added := sorted(after - before):
        words = ", ".join(_word(entry) for entry in added)
        parts.append(gettext("added: %(words)s") % {"words": words})
    if retired := sorted(before - after):
        words = ", ".join(_word(entry) for entry in retired)
        parts.append(gettext("retired: %(words)s") % {"words": words})
    return " / ".join(parts)


WORD_KINDS = {WordRule.Kind.BLOCK: _("blocked"), WordRule.Kind.HOLD: _("held")}


def _word(entry) -> str:
    phrase, kind, *rest = entry
    substring = bool(rest and rest[0])
    kind = WORD_KINDS.get(kind, kind)
    if substring:
        return gettext("%(phrase)s (%(kind)s, inside words)") % {
            "phrase": phrase,
            "kind": kind,
        }
    return gettext("%(phrase)s (%(kind)s)") % {"phrase": phrase, "kind": kind}


def changes_list(changes: dict) -> str:
    return render_to_string(
        "admin/moderation/rule_set_changes.html",
        {"lines": readable_changes(changes or {})},
    )


def held_count():
    """How many comments wait in a journal's queue, counted up to the cap."""
    held = Comment.objects.filter(journal_id=OuterRef("pk"), state=CommentState.HELD)
    return CountUpTo(held.values("pk").order_by()[: COUNT_CAP + 1])


def _held_label(journal: Journal) -> str:
    count = getattr(journal, "held_count", None)
    if count is None:
        held = Comment.objects.filter(journal=journal, state=CommentState.HELD)
        count = held[: COUNT_CAP + 1].count()
    return count_label({journal.pk: count})


def queue_url(journal: Journal) -> str:
    return f"{reverse('moderation:queue')}?{urlencode({'journal': journal.name})}"


class WordRuleInline(JournalOwnerInline):
    model = WordRule
    form = WordEntryForm
    formset = DistinctWordsFormSet
    extra = 1
    fields = ("phrase", "kind", "substring")
    verbose_name = _("word list entry")
    verbose_name_plural = _(
        "Word lists: blocked words refuse a comment, held words send it to a "
        "moderator (“Delete” retires an entry; its history stays)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).active()


class AuthorRestrictionInline(JournalOwnerInline):
    model = AuthorRestriction
    form = RestrictionForm
    extra = 1
    fields = ("user", "kind", "until", "reason")
    verbose_name = _("ban or screening")
    verbose_name_plural = _(
        "Bans and screened authors (they stop by themselves at the end date; "
        "“Delete” ends one now and keeps it in the history)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            return PersonField(
                get_user_model().objects.all(),
                label=_("username"),
                help_text=_("Exactly as written; the list suggests commenters."),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        suggest(formset.form.base_fields["user"], known_people(obj))
        return formset


class RuleSetVersionInline(JournalOwnerInline):
    model = RuleSetVersion
    extra = 0
    fields = ("number", "created_at", "created_by_name", "what_changed")
    readonly_fields = fields
    can_delete = False
    ordering = ("-number",)
    verbose_name_plural = _("Rule-set versions (every change to the comment rules)")

    @admin.display(description=_("changes"))
    def what_changed(self, version: RuleSetVersion) -> str:
        return changes_list(version.changes)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModeratedJournalAdmin(JournalAdmin):
    """The journal page with its comment rules: settings, word lists, bans and
    screenings, and every earlier version of the rules."""

    fieldsets = (
        *JournalAdmin.fieldsets[:2],
        (
            _("Comment settings"),
            {
                "fields": (
                    "comment_access",
                    "screening",
                    "link_limit",
                    ("trust_approved_authors", "trusted_after", "trust_after_days"),
                    "new_account_days",
                    "rate_limit_per_minute",
                    "max_thread_depth",
                    "close_after_days",
                    "edit_window_minutes",
                    "ip_logging",
                ),
                "description": _(
                    "Every new or edited comment goes through these rules; the "
                    "strictest one wins and each comment records why. Each post "
                    "can also turn comments off or screen all of its comments. "
                    "Every change here is kept as a new rule-set version."
                ),
            },
        ),
        (
            _("Learning from decisions"),
            {
                "fields": (
                    "spam_threshold",
                    "report_screen_weight",
                    ("history_comments", "history_rejected_percent"),
                    "strike_window_days",
                    ("screen_after_strikes", "screen_for_days"),
                    ("ban_after_strikes", "ban_for_days"),
                ),
                "description": _(
                    "The spam model reads each comment's words, link domains and "
                    "signs such as contact handles or look-alike letters, and "
                    "learns from your approvals and spam decisions; a comment it "
                    "scores at the threshold waits for a moderator. Each "
                    "rejection or spam decision is a strike for its author; the "
                    "ladder screens or bans an author whose strikes reach a step, "
                    "tells them why, and can be undone."
                ),
            },
        ),
        (
            _("Moderation queue"),
            {
                "fields": ("queue_claims",),
                "description": _(
                    "How the queue behaves for this journal's moderators. The "
                    "link at the top of this page opens the queue."
                ),
            },
        ),
    )
    inlines = (WordRuleInline, AuthorRestrictionInline, RuleSetVersionInline)
    list_display = (*JournalAdmin.list_display, "queue")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(held_count=held_count())

    @admin.display(description=_("queue"), ordering="held_count")
    def queue(self, journal: Journal) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            queue_url(journal),
            gettext("%(count)s held") % {"count": _held_label(journal)},
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and obj.pk:
            context["queue_url"] = queue_url(obj)
            context["held"] = _held_label(obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines, so a word-list change is part of the same version.
        record_rule_set(form.instance, by=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if (
                isinstance(instance, AuthorRestriction)
                and instance.created_by_id is None
            ):
                instance.created_by = request.user
            instance.save()
            if isinstance(instance, AuthorRestriction):
                # Logged like the bans set from the queue.
                moderation.record_restriction(restriction=instance, by=request.user)
        # Nothing is deleted: a ban ends now, a word is retired; rows stay.
        for removed in formset.deleted_objects:
            if isinstance(removed, AuthorRestriction):
                with contextlib.suppress(moderation.NotAllowed):  # already ended
                    moderation.lift_restriction(restriction=removed, by=request.user)
            elif isinstance(removed, WordRule):
                moderation.retire_word(word=removed, by=request.user)
        formset.save_m2m()


class ModeratedCommentAdmin(CommentAdmin):
    """The comment list with the queue's decisions, as admin actions."""

    actions = ("approve_selected", "reject_selected", "spam_selected")

    def action_checkbox(self, comment: Comment):
        """The row's checkbox, plus what the owner sees of it: a decision
        applies only if the comment is still in this state and revision."""
        seen = moderation.Seen(comment.pk, comment.state, comment.revision)
        return format_html(
            '{}<input type="hidden" name="seen-{}" value="{}">',
            super().action_checkbox(comment),
            comment.pk,
            seen.token,
        )

    def _seen(self, request, queryset) -> tuple[list, list[int]]:
        """What the owner saw of each selected comment, from the list they
        submitted; comments they were not shown (another page, "select all")
        are left out."""
        seen, unseen = [], []
        for pk in queryset.values_list("pk", flat=True):
            try:
                token = moderation.Seen.parse(request.POST.get(f"seen-{pk}", ""))
            except ValueError:
                token = None
            if token is None or token.comment_id != pk:
                unseen.append(pk)
            else:
                seen.append(token)
        return seen, unseen

    def _decide(self, request, queryset, decision: str, reason: str = "") -> None:
        seen, unseen = self._seen(request, queryset)
        for pk in unseen:
            self.message_user(
                request,
                _("#%(id)d: not shown on this page, so left alone; open it first.")
                % {"id": pk},
                level="warning",
            )
        if not seen:
            return
        try:
            outcomes = moderation.decide(
                moderator=request.user,
                items=seen,
                decision=decision,
                reason=reason,
                note=_("Decided in the admin"),
            )
        except (moderation.NotFound, moderation.NotAllowed):
            self.message_user(request, _("Nothing was changed."), level="error")
            return
        done = sum(outcome.done for outcome in outcomes)
        self.message_user(
            request,
            # The English keeps its old "(s)"; other languages get their forms.
            ngettext("%(n)d comment(s) updated.", "%(n)d comment(s) updated.", done)
            % {"n": done},
        )
        for outcome in outcomes:
            if not outcome.done:
                self.message_user(
                    request,
                    f"#{outcome.comment_id}: {outcome.message}",
                    level="warning",
                )

    @admin.action(description=_("Approve selected comments"))
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, "approve")

    @admin.action(description=_("Reject selected comments (reason: other)"))
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, "reject", reason="other")

    @admin.action(description=_("Mark selected comments as spam"))
    def spam_selected(self, request, queryset):
        self._decide(request, queryset, "spam")


# The platform's pages, extended.
admin.site.unregister(Journal)
admin.site.register(Journal, ModeratedJournalAdmin)
admin.site.unregister(Comment)
admin.site.register(Comment, ModeratedCommentAdmin)


class OwnerScopedReadOnly(OwnerScopedAdmin):
    """Rows of journals the staff user owns (all for a superuser); nothing editable."""

    owner_lookup = "journal__owner"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


REASON_LABELS = dict(ReportReason.choices)


@admin.register(AuditEntry)
class AuditEntryAdmin(OwnerScopedReadOnly):
    # Seven short columns: eight pushed the last ones out of view at 1280 px.
    list_display = (
        "created_at",
        "by_whom",
        "what",
        "target",
        "state_change",
        "reason_label",
        "journal",
    )
    list_filter = ("action", ("journal", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("journal",)
    search_fields = ("actor_name", "target", "note")
    date_hierarchy = "created_at"
    readonly_fields = ("rule_changes",)

    @admin.display(description=_("by"), ordering="actor_name")
    def by_whom(self, entry: AuditEntry) -> str:
        return entry.actor_name

    @admin.display(description=_("action"), ordering="action")
    def what(self, entry: AuditEntry) -> str:
        # A line may break after the namespace: "comment." / "approve".
        namespace, dot, name = entry.action.partition(".")
        return format_html("{}{}<wbr>{}", namespace, dot, name)

    @admin.display(description=_("reason"), ordering="reason")
    def reason_label(self, entry: AuditEntry) -> str:
        return REASON_LABELS.get(entry.reason, entry.reason)

    @admin.display(description=_("state"))
    def state_change(self, entry: AuditEntry) -> str:
        if entry.from_state and entry.to_state:
            return f"{state_word(entry.from_state)} → {state_word(entry.to_state)}"
        return state_word(entry.to_state or entry.from_state)

    @admin.display(description=_("rule-set changes"))
    def rule_changes(self, entry: AuditEntry) -> str:
        return changes_list(entry.data.get("changes"))

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "rule_changes"]
        if obj is not None and obj.data.get("changes"):
            # The changes read as a list; raw JSON only for anything else.
            at = fields.index("data")
            if set(obj.data) == {"changes"}:
                fields[at] = "rule_changes"
            else:
                fields.insert(at, "rule_changes")
        return fields


@admin.register(Report)
class ReportAdmin(OwnerScopedReadOnly):
    list_display = (
        "created_at",
        "comment",
        "journal",
        "reporter",
        "reason",
        "dismissed_at",
    )
    list_filter = ("reason", ("journal", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("journal", "reporter", "comment")
