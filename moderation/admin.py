"""The moderation plugin's admin: the journal page gains its word lists, bans
and rule-set history, the comment list gains decisions, and the audit log and
readers' reports are shown read-only. All owner-scoped, like the platform's
admin, which these classes extend (``journal.admin``) and replace."""

from __future__ import annotations

import contextlib

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.html import format_html
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
from journal.models import Comment, Journal

from . import services as moderation
from .forms import DistinctWordsFormSet, RestrictionForm, WordEntryForm
from .models import AuditEntry, AuthorRestriction, Report, RuleSetVersion, WordRule
from .services import record_rule_set


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
    fields = ("number", "created_at", "created_by_name", "changes")
    readonly_fields = fields
    can_delete = False
    ordering = ("-number",)
    verbose_name_plural = _("Rule-set versions (every change to the comment rules)")

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
    )
    inlines = (WordRuleInline, AuthorRestrictionInline, RuleSetVersionInline)

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
        self.message_user(request, _("%(n)d comment(s) updated.") % {"n": done})
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


@admin.register(AuditEntry)
class AuditEntryAdmin(OwnerScopedReadOnly):
    list_display = (
        "created_at",
        "actor_name",
        "action",
        "journal",
        "target",
        "from_state",
        "to_state",
        "reason",
    )
    list_filter = ("action", ("journal", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("journal",)
    search_fields = ("actor_name", "target", "note")
    date_hierarchy = "created_at"


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
