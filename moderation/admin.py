"""The moderation plugin's admin: the journal page gains its word lists, bans
and rule-set history, and "Preview this change" and "Save as shadow" beside
Save; the comment list gains decisions, and the audit log, readers' reports and
backtests are shown read-only. All owner-scoped, like the platform's admin,
which these classes extend (``journal.admin``) and replace."""

from __future__ import annotations

import contextlib
import zoneinfo
from functools import cache

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.forms.formsets import all_valid
from django.http import (
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext, pgettext_lazy
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
from journal.params import whole_number
from journal.sentences import reason_text

from . import backtest, heat, notes, proposals, schedules, shadows, shared_lists
from . import services as moderation
from .forms import (
    WEEKDAYS,
    BacktestForm,
    DistinctWordsFormSet,
    RestrictionForm,
    ScheduledModeForm,
    ScheduleFormSet,
    SharedListForm,
    SubscriptionForm,
    SubscriptionFormSet,
    WordEntryForm,
    bans_text,
    words_text,
)
from .models import (
    RULE_SETTING_FIELDS,
    Appeal,
    AuditEntry,
    AuthorNote,
    AuthorRestriction,
    Backtest,
    HeatScreening,
    Report,
    ReportReason,
    RuleSetVersion,
    ScheduledMode,
    ShadowRuleSet,
    ShadowVerdict,
    SharedList,
    SharedListVersion,
    Subscription,
    WordRule,
)
from .queue import COUNT_CAP, CountUpTo, count_label, state_word
from .rules import rule_label
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
        if name == "schedule":
            lines.append((gettext("Scheduled modes"), _schedule_changes(old, new)))
            continue
        if name == "subscriptions":
            lines.append((gettext("Shared lists followed"), _list_changes(old, new)))
            continue
        if name in moderation.DERIVED_KEYS:
            continue  # the lists followed, and the journal's own words, say it
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


def _schedule_changes(old, new) -> str:
    before = {_window_text(window) for window in old or ()}
    after = {_window_text(window) for window in new or ()}
    parts = []
    if added := sorted(after - before):
        parts.append(gettext("added: %(windows)s") % {"windows": "; ".join(added)})
    if retired := sorted(before - after):
        parts.append(gettext("retired: %(windows)s") % {"windows": "; ".join(retired)})
    return " / ".join(parts)


def _list_changes(old, new) -> str:
    """Lists followed, as a rule-set version records them ([id, version number,
    name, kind]): "following: Spam words (v1) / Spam words: v1 → v2 / stopped:
    Old list (v3)"."""
    before = {entry[0]: entry for entry in old or ()}
    after = {entry[0]: entry for entry in new or ()}
    parts = []
    if started := [after[key] for key in sorted(after.keys() - before.keys())]:
        names = ", ".join(f"{entry[2]} (v{entry[1]})" for entry in started)
        parts.append(gettext("following: %(lists)s") % {"lists": names})
    for key in sorted(after.keys() & before.keys()):
        if before[key][1] != after[key][1]:
            parts.append(f"{after[key][2]}: v{before[key][1]} → v{after[key][1]}")
    if stopped := [before[key] for key in sorted(before.keys() - after.keys())]:
        names = ", ".join(f"{entry[2]} (v{entry[1]})" for entry in stopped)
        parts.append(gettext("stopped: %(lists)s") % {"lists": names})
    return " / ".join(parts)


def _window_text(window: dict) -> str:
    """A window as a rule-set version records it, in words: "Night (every day
    23:00–07:00: screen all)"."""
    days = window.get("days", "")
    if days == "0123456":
        when = gettext("every day")
    else:
        names = dict(WEEKDAYS)
        when = ", ".join(str(names.get(day, day)) for day in days)
    span = f"{window.get('starts_at')}–{window.get('ends_at')}"
    later = window.get("ends_after_days", 0)
    if later:
        span += ngettext(" (%(days)d day later)", " (%(days)d days later)", later) % {
            "days": later
        }
    if window.get("mode") == ScheduledMode.Mode.RATE:
        rate = window.get("rate_per_minute", 0)
        what = ngettext(
            "at most %(count)d comment a minute per author",
            "at most %(count)d comments a minute per author",
            rate,
        ) % {"count": rate}
    else:
        what = gettext("screen all")
    return gettext("%(name)s (%(when)s %(span)s: %(what)s)") % {
        "name": window.get("name", ""),
        "when": when,
        "span": span,
        "what": what,
    }


WORD_KINDS = {
    WordRule.Kind.BLOCK: _("blocked"),
    WordRule.Kind.HOLD: _("held"),
    WordRule.Kind.ALLOW: _("allowed"),
}


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
        "moderator, allowed words let through a word a shared list this journal "
        "follows blocks or holds (“Delete” retires an entry; its history stays)"
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


class ScheduledModeInline(JournalOwnerInline):
    model = ScheduledMode
    form = ScheduledModeForm
    formset = ScheduleFormSet
    extra = 1
    fields = (
        "name",
        "mode",
        "days",
        "starts_at",
        "ends_at",
        "ends_after_days",
        "rate_per_minute",
    )
    verbose_name = _("scheduled mode")
    verbose_name_plural = _(
        "Scheduled modes: windows of the week, by the journal's time zone, that "
        "screen every comment or allow fewer comments a minute per author; for "
        "Fri 22:00 – Mon 07:00, tick Fri and end 3 days later (“Delete” retires "
        "a window; its history stays)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).active()


class SubscriptionInline(JournalOwnerInline):
    model = Subscription
    form = SubscriptionForm
    formset = SubscriptionFormSet
    extra = 1
    fields = ("shared_list", "version", "since")
    readonly_fields = ("version", "since")
    verbose_name = _("shared list followed")
    verbose_name_plural = _(
        "Shared lists this journal follows: other journals' word lists and ban "
        "lists, read-only here, each change of theirs applied from the next "
        "comment on; your own entries above win over theirs (“Delete” stops "
        "following one; its history stays)"
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(ended_at__isnull=True)
            .select_related("shared_list", "shared_list__journal")
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        choices = SharedList.objects.filter(
            state=SharedList.State.PUBLISHED
        ).select_related("journal")
        if obj is not None and obj.pk:
            choices = choices.exclude(journal=obj)
        formset.form.base_fields["shared_list"].queryset = choices.order_by(
            "name", "pk"
        )
        return formset

    @admin.display(description=_("followed since"))
    def since(self, subscription: Subscription) -> str:
        if subscription.pk is None:
            return ""
        return date_format(localtime(subscription.created_at), "DATETIME_FORMAT")

    @admin.display(description=_("version"))
    def version(self, subscription: Subscription) -> str:
        if subscription.pk is None:
            return ""
        latest = shared_lists.latest_version(subscription.shared_list)
        if latest is None:
            return ""
        return format_html(
            '<a href="{}">v{}</a>',
            reverse(
                "admin:moderation_sharedlist_change",
                args=[subscription.shared_list_id],
            ),
            latest.number,
        )


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


class ProposalDoors(admin.ModelAdmin):
    """The journal settings page's "Preview this change" and "Save as shadow":
    the same form, validated as saving it would be, and never saved.

    Preview replays the proposal over the journal's last comments
    (``moderation.proposals.preview``): a short run's counts are shown above
    the form, which keeps the proposed values to save, change or save as a
    shadow; a long run continues in the task queue, on the backtest's page.
    Save as shadow starts a shadow rule set (``moderation.shadows``). Bad values
    show the form's errors, and nothing changes.
    """

    PROPOSING = ("_preview", "_shadow")
    change_form_template = "admin/moderation/journal_change_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        intent = next(
            (name for name in self.PROPOSING if name in request.POST),
            None,
        )
        if request.method != "POST" or intent is None or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        return self._propose(request, object_id, intent, form_url, extra_context)

    def render_change_form(self, request, context, *args, **kwargs):
        context.setdefault("backtest_form", BacktestForm())
        return super().render_change_form(request, context, *args, **kwargs)

    def _propose(self, request, object_id, intent, form_url, extra_context):
        # Owner-scoped like the page: another owner's journal is "not found".
        journal = self.get_object(request, unquote(object_id))
        if journal is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, journal):
            raise PermissionDenied
        # The page's own form and inlines, bound as Django's admin binds them.
        fieldsets = self.get_fieldsets(request, journal)
        form_class = self.get_form(
            request, journal, change=True, fields=flatten_fieldsets(fieldsets)
        )
        form = form_class(request.POST, request.FILES, instance=journal)
        formsets, inline_instances = self._create_formsets(
            request, form.instance, change=True
        )
        # The number of comments matters to a preview only.
        limit_form = BacktestForm(request.POST if intent == "_preview" else None)
        valid = all_valid(formsets) & form.is_valid()
        extra = {**(extra_context or {}), "backtest_form": limit_form}
        if valid and intent == "_shadow":
            response = self._save_as_shadow(request, form.instance, formsets)
            if response is not None:
                return response
        elif valid and limit_form.is_valid():
            answer = self._preview(request, form.instance, formsets, limit_form)
            if isinstance(answer, HttpResponseRedirect):
                return answer
            extra["backtest"] = answer
            extra["backtest_changes"] = changes_list(
                proposals.changes_from_live(journal, answer["proposal"])
            )
        return self._render_bound(
            request, journal, object_id, form, formsets, inline_instances, form_url,
            extra,
        )  # fmt: skip

    def _save_as_shadow(self, request, journal, formsets):
        """Start the shadow and open its page; None after a refusal (shown)."""
        snapshot = proposals.snapshot_from_admin(journal, formsets)
        try:
            shadow = shadows.start_shadow(
                journal=journal, proposal=snapshot, by=request.user
            )
        except (ValidationError, moderation.NotAllowed) as refusal:
            for message in getattr(refusal, "messages", [str(refusal)]):
                self.message_user(request, message, level=messages.ERROR)
            return None
        self.message_user(
            request,
            gettext(
                "Saved as a shadow rule set: it runs beside the live rules on "
                "every new comment and changes nothing until you promote it."
            ),
        )
        return HttpResponseRedirect(
            reverse("admin:moderation_shadowruleset_change", args=[shadow.pk])
        )

    def _preview(self, request, journal, formsets, limit_form):
        """A short run's result, ready for the page; or the long run's page."""
        snapshot = proposals.snapshot_from_admin(journal, formsets)
        limit = limit_form.cleaned_data["backtest_limit"]
        try:
            preview = proposals.preview(
                journal=journal, snapshot=snapshot, limit=limit, by=request.user
            )
        except moderation.NotAllowed as refusal:
            self.message_user(request, refusal.message, level=messages.ERROR)
            return None
        if preview.backtest is not None:
            return HttpResponseRedirect(
                reverse("admin:moderation_backtest_change", args=[preview.backtest.pk])
            )
        return {**backtest_view(preview.result), "proposal": snapshot}

    def _render_bound(
        self, request, journal, object_id, form, formsets, inline_instances,
        form_url, extra,
    ):  # fmt: skip
        """The change form with the values as posted, as Django's admin draws
        it after a failed save (``ModelAdmin._changeform_view``)."""
        fieldsets = self.get_fieldsets(request, journal)
        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),
            self.get_prepopulated_fields(request, journal),
            self.get_readonly_fields(request, journal),
            model_admin=self,
        )
        media = self.media + admin_form.media
        inline_formsets = self.get_inline_formsets(
            request, formsets, inline_instances, journal
        )
        for inline_formset in inline_formsets:
            media += inline_formset.media
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Change %s") % self.opts.verbose_name,
            "subtitle": str(journal),
            "adminform": admin_form,
            "object_id": object_id,
            "original": journal,
            "is_popup": False,
            "to_field": None,
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": helpers.AdminErrorList(form, formsets),
            "preserved_filters": self.get_preserved_filters(request),
            **extra,
        }
        return self.render_change_form(
            request, context, add=False, change=True, obj=journal, form_url=form_url
        )


class ModeratedJournalAdmin(ProposalDoors, JournalAdmin):
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
                    "appeal_days",
                ),
                "description": _(
                    "The spam model reads each comment's words, link domains and "
                    "signs such as contact handles or look-alike letters, and "
                    "learns from your approvals and spam decisions; a comment it "
                    "scores at the threshold waits for a moderator. Each "
                    "rejection or spam decision is a strike for its author; the "
                    "ladder screens or bans an author whose strikes reach a step, "
                    "tells them why, and can be undone. An author may appeal a "
                    "rejection, a ban or a screening once, for that many days; "
                    "another moderator decides it in the queue's Appeals tab."
                ),
            },
        ),
        (
            _("Scheduled modes and heat"),
            {
                "fields": (
                    "time_zone",
                    ("heat_replies", "heat_minutes", "heat_hours"),
                ),
                "description": _(
                    "The scheduled modes below open and close by the journal's "
                    "time zone; readers see the open ones above the comment form. "
                    "A sub-thread (everything under one top-level comment) that "
                    "gets that many replies that fast is screened for a while: "
                    "replies in it wait for a moderator, then it opens again on "
                    "its own. Moderators can lift it early from the queue."
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
    inlines = (
        WordRuleInline,
        AuthorRestrictionInline,
        ScheduledModeInline,
        SubscriptionInline,
        RuleSetVersionInline,
    )
    list_display = (*JournalAdmin.list_display, "queue")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            # The zones this server knows, to pick from rather than to spell.
            return forms.ChoiceField(
                choices=_zone_choices(),
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
            if isinstance(instance, Subscription):
                # Through the service, like the API; save_related records the
                # version for the whole page.
                try:
                    shared_lists.subscribe(
                        journal=form.instance,
                        shared_list=instance.shared_list,
                        by=request.user,
                        record=False,
                    )
                except moderation.NotAllowed as refusal:
                    self.message_user(request, refusal.message, level=messages.ERROR)
                continue
            if isinstance(instance, ScheduledMode):
                # Through the service, like the API; save_related records the
                # version for the whole page.
                schedules.add_window(
                    journal=form.instance,
                    by=request.user,
                    record=False,
                    **{name: getattr(instance, name) for name in WINDOW_FIELDS},
                )
                continue
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
            elif isinstance(removed, ScheduledMode):
                with contextlib.suppress(moderation.NotAllowed):  # already retired
                    schedules.retire_window(
                        window=removed, by=request.user, record=False
                    )
            elif isinstance(removed, Subscription):
                with contextlib.suppress(moderation.NotAllowed):  # already ended
                    shared_lists.unsubscribe(
                        subscription=removed, by=request.user, record=False
                    )
        formset.save_m2m()


WINDOW_FIELDS = (
    "name",
    "mode",
    "days",
    "starts_at",
    "ends_at",
    "ends_after_days",
    "rate_per_minute",
)


@cache
def _zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]


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


@admin.register(HeatScreening)
class HeatScreeningAdmin(OwnerScopedReadOnly):
    """Sub-threads screened for heat (moderation.heat); an owner can lift one
    here as from the queue."""

    list_display = (
        "thread_link",
        "journal",
        "replies",
        "minutes",
        "started_at",
        "until",
        "lifted_at",
    )
    list_filter = (("journal", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("journal", "thread__post__journal")
    actions = ("lift_selected",)
    date_hierarchy = "started_at"

    @admin.display(description=_("thread"))
    def thread_link(self, screening: HeatScreening) -> str:
        return format_html(
            '<a href="{}?thread={}#t{}">#{}</a>',
            screening.thread.post.get_absolute_url(),
            screening.thread_id,
            screening.thread_id,
            screening.thread_id,
        )

    @admin.action(description=_("Lift the selected screenings now"))
    def lift_selected(self, request, queryset):
        lifted = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                heat.lift_heat(moderator=request.user, screening_id=pk)
            except (moderation.NotFound, moderation.NotAllowed):
                continue  # ended already, or not the owner's to lift
            lifted += 1
        self.message_user(
            request,
            ngettext("%(n)d screening lifted.", "%(n)d screenings lifted.", lifted)
            % {"n": lifted},
        )


VERDICT_WORDS = {
    "publish": pgettext_lazy("verdict", "publish"),
    "hold": pgettext_lazy("verdict", "hold"),
    "refuse": pgettext_lazy("verdict", "refuse"),
}


@admin.register(ShadowRuleSet)
class ShadowRuleSetAdmin(OwnerScopedReadOnly):
    """Shadow rule sets (moderation.shadows): each page shows where the shadow
    parted from the live rules, day by day and comment by comment, with
    Promote and Retire for the one running. Started from the journal's
    settings page ("Save as shadow") or the API."""

    list_display = (
        "__str__",
        "journal",
        "state",
        "disagreements",
        "created_at",
        "created_by_name",
        "ended_at",
    )
    list_filter = ("state", ("journal", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("journal",)
    fields = (
        "name",
        "journal",
        "state",
        "created_by_name",
        "created_at",
        "ended_at",
        "promoted_to",
    )
    readonly_fields = fields
    change_form_template = "admin/moderation/shadowruleset/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                disagreed=CountUpTo(
                    ShadowVerdict.objects.filter(
                        shadow_id=OuterRef("pk"), disagrees=True
                    )
                    .order_by()
                    .values("pk")[: COUNT_CAP + 1]
                )
            )
        )

    @admin.display(description=_("decided otherwise"), ordering="disagreed")
    def disagreements(self, shadow: ShadowRuleSet) -> str:
        return count_label({shadow.pk: shadow.disagreed})

    def get_urls(self):
        view = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/promote/",
                view(self.promote_view),
                name=f"{prefix}_promote",
            ),
            path(
                "<path:object_id>/retire/",
                view(self.retire_view),
                name=f"{prefix}_retire",
            ),
            *super().get_urls(),
        ]

    def _act(self, request, object_id: str, act, done: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        # Owner-scoped like the page: another journal's shadow is a 404.
        shadow = self.get_object(request, unquote(object_id))
        if shadow is None or not self.has_view_permission(request, shadow):
            raise Http404
        try:
            shadow = act(shadow=shadow, by=request.user)
        except moderation.NotAllowed as refusal:
            self.message_user(request, refusal.message, level=messages.ERROR)
        except ValidationError as invalid:
            # Rules the journal can no longer take (they are checked when the
            # shadow starts): nothing changed.
            self.message_user(request, " ".join(invalid.messages), level=messages.ERROR)
        else:
            self.message_user(request, done % {"version": shadow.promoted_to})
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(shadow.pk,),
            )
        )

    def promote_view(self, request, object_id: str):
        return self._act(
            request,
            object_id,
            shadows.promote_shadow,
            gettext("Promoted: these are now the journal's rules, as %(version)s."),
        )

    def retire_view(self, request, object_id: str):
        return self._act(
            request,
            object_id,
            shadows.retire_shadow,
            gettext("Retired: the shadow rule set no longer runs."),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        shadow = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if shadow is not None and self.has_view_permission(request, shadow):
            summary = shadows.summary(shadow, sample=20)
            extra["summary"] = summary
            for verdict in summary.sample:
                verdict.live_word = VERDICT_WORDS.get(
                    verdict.live_action, verdict.live_action
                )
                verdict.shadow_word = VERDICT_WORDS.get(
                    verdict.shadow_action, verdict.shadow_action
                )
                # In the reader's language, as the queue shows reasons.
                verdict.why = "; ".join(
                    reason_text(reason)
                    for reason in verdict.reasons
                    if reason.get("action") == verdict.shadow_action
                )
            extra["changes"] = changes_list(summary.changes)
            extra["running"] = shadow.state == ShadowRuleSet.State.SHADOW
        return super().change_view(request, object_id, form_url, extra)


# Backtests ------------------------------------------------------------------------

CHANGE_LABELS = {
    backtest.PUBLISH_TO_HOLD: _("Published then, held now"),
    backtest.HOLD_TO_PUBLISH: _("Held then, published now"),
    backtest.TO_REFUSE: _("Refused now"),
    backtest.FROM_REFUSE: _("Refused then (older rules' code), let through now"),
}


def backtest_view(result: dict) -> dict:
    """A backtest's result as its page shows it: each kind of change with its
    count and examples, linked to the comments' pages in the admin."""
    changes = []
    for kind in backtest.KINDS:
        count = result["changes"].get(kind, 0)
        if kind == backtest.FROM_REFUSE and not count:
            continue  # only when the rules' code changed since
        samples = [
            {
                **sample,
                "url": reverse(
                    "admin:journal_comment_change", args=[sample["comment"]]
                ),
                "labels": [(code, rule_label(code)) for code in sample["codes"]],
            }
            for sample in result["samples"].get(kind, [])
        ]
        changes.append(
            {
                "kind": kind,
                "label": CHANGE_LABELS[kind],
                "count": count,
                "samples": samples,
            }
        )
    return {**result, "kinds": changes}


def status_of(job: Backtest) -> dict:
    """What a backtest's page shows of its progress, also as JSON."""
    done, total = job.done, job.total
    if job.state == Backtest.State.QUEUED:
        text = gettext("Waiting for a worker to start the backtest.")
    elif job.state == Backtest.State.FAILED:
        text = gettext("The backtest failed; start another from the journal's page.")
    elif job.state == Backtest.State.DONE:
        text = gettext("Done: %(count)s comments read.") % {"count": f"{done:,}"}
    elif not total:
        text = gettext("Reading the comments…")
    else:
        text = gettext("%(done)s of %(total)s comments (%(percent)s%%)") % {
            "done": f"{done:,}",
            "total": f"{total:,}",
            "percent": done * 100 // total,
        }
    return {
        "state": job.state,
        "label": str(Backtest.State(job.state).label),
        "done": done,
        "total": total,
        "finished": job.state in (Backtest.State.DONE, Backtest.State.FAILED),
        "text": text,
    }


@admin.register(Backtest)
class BacktestAdmin(OwnerScopedReadOnly):
    """Backtests that ran in the task queue ("Preview this change" on a
    journal's page, or the API): each one's progress while it runs, then what
    the proposal would have changed, and "Save as shadow" for its proposal."""

    list_display = ("__str__", "journal", "state", "limit", "created_at", "finished_at")
    list_filter = ("state", ("journal", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("journal",)

    class Media:
        css = {"all": ("css/admin.css",)}

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/status/",
                view(self.status_view),
                name="moderation_backtest_status",
            ),
            path(
                "<path:object_id>/shadow/",
                view(self.shadow_view),
                name="moderation_backtest_shadow",
            ),
            *super().get_urls(),
        ]

    def _backtest(self, request, object_id) -> Backtest:
        """The owner's backtest; another journal's is a 404, like a missing one."""
        number = whole_number(str(object_id))
        job = (
            self.get_queryset(request)
            .select_related("journal")
            .filter(pk=number)
            .first()
            if number is not None
            else None
        )
        if job is None or not self.has_view_permission(request, job):
            raise Http404
        return job

    def status_view(self, request, object_id):
        """The backtest's progress as JSON, for its page's script."""
        return JsonResponse(status_of(self._backtest(request, object_id)))

    def shadow_view(self, request, object_id):
        """Start a shadow rule set with the backtest's proposal."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._backtest(request, object_id)
        if not self._is_owner(request, job):
            raise Http404
        try:
            shadow = shadows.start_shadow(
                journal=job.journal, proposal=job.proposal, by=request.user
            )
        except (ValidationError, moderation.NotAllowed) as refusal:
            for message in getattr(refusal, "messages", [str(refusal)]):
                self.message_user(request, message, level=messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:moderation_backtest_change", args=[job.pk])
            )
        self.message_user(
            request,
            gettext(
                "Saved as a shadow rule set: it runs beside the live rules on "
                "every new comment and changes nothing until you promote it."
            ),
        )
        return HttpResponseRedirect(
            reverse("admin:moderation_shadowruleset_change", args=[shadow.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The backtest's page: its progress while it runs, then its result."""
        job = self._backtest(request, object_id)
        status = status_of(job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "status": status,
            "poll_ms": BACKTEST_POLL_MS,
            "status_url": reverse("admin:moderation_backtest_status", args=[job.pk]),
            "shadow_url": reverse("admin:moderation_backtest_shadow", args=[job.pk]),
            "changes": changes_list(
                proposals.changes_from_live(job.journal, job.proposal)
            ),
            "backtest": backtest_view(job.result)
            if job.state == Backtest.State.DONE
            else None,
            "media": self.media,
        }
        return TemplateResponse(
            request, "admin/moderation/backtest/backtest.html", context
        )


# How often a running backtest's page asks how far it got.
BACKTEST_POLL_MS = 1000


class SharedListVersionInline(admin.TabularInline):
    """A shared list's history: every version, what it changed."""

    model = SharedListVersion
    extra = 0
    fields = ("number", "created_at", "what_changed")
    readonly_fields = fields
    can_delete = False
    ordering = ("-number",)
    verbose_name_plural = _("Versions (every change of the entries)")

    @admin.display(description=_("changes"))
    def what_changed(self, version: SharedListVersion) -> str:
        return shared_list_changes(version)

    def has_view_permission(self, request, obj=None):
        # Whoever may open the list (SharedListAdmin) reads its history.
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# A version's changes name at most this many entries of each kind.
CHANGES_SHOWN = 30


def shared_list_changes(version: SharedListVersion) -> str:
    """ "added: casino (held), … / removed: …", a long change cut short."""

    def entry_text(entry) -> str:
        if version.shared_list.kind == SharedList.Kind.WORDS:
            return _word(entry)
        return entry[1]

    parts = []
    for key, label in (("added", gettext("added")), ("removed", gettext("removed"))):
        entries = version.changes.get(key) or []
        if not entries:
            continue
        shown = ", ".join(entry_text(entry) for entry in entries[:CHANGES_SHOWN])
        if len(entries) > CHANGES_SHOWN:
            shown += " " + gettext("and %(count)d more") % {
                "count": len(entries) - CHANGES_SHOWN
            }
        parts.append(f"{label}: {shown}")
    return " / ".join(parts)


@admin.register(SharedList)
class SharedListAdmin(OwnerScopedAdmin):
    """Shared word lists and ban lists: an owner publishes and changes their
    journals' lists here; every published list (and any list their journals
    followed) they may read, never change. Saving goes through
    ``moderation.shared_lists``: a change of entries is a new version, and
    nothing is deleted (Unpublish keeps the list and its history)."""

    form = SharedListForm
    list_display = ("name", "kind", "journal", "state", "latest", "followers")
    list_filter = ("kind", "state")
    search_fields = ("name", "description")
    inlines = (SharedListVersionInline,)
    actions = ("unpublish_selected",)

    def get_queryset(self, request):
        latest = (
            SharedListVersion.objects.filter(shared_list=OuterRef("pk"))
            .order_by("-number")
            .values("number")[:1]
        )
        return shared_lists.visible_to(request.user).annotate(
            latest_number=Subquery(latest),
            running=Count(
                "subscriptions",
                filter=Q(subscriptions__ended_at__isnull=True),
            ),
        )

    def _may_change(self, request, obj) -> bool:
        if not self._is_owner(request):
            return False
        if obj is None:
            return True
        return (
            shared_lists.owns(request.user, obj)
            and obj.state == SharedList.State.PUBLISHED
        )

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self._is_owner(request)
        return self._is_owner(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def get_fieldsets(self, request, obj=None):
        head = ["journal", "kind", "name", "description"]
        if obj is None:
            entries = ["blocked", "held", "bans"]
        elif obj.kind == SharedList.Kind.WORDS:
            entries = ["blocked", "held"]
        else:
            entries = ["bans"]
        if obj is not None:
            head += ["state", "followers"]
        return ((None, {"fields": head}), (_("Entries"), {"fields": entries}))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not self.has_change_permission(request, obj):
            return (
                "journal", "kind", "name", "description", "state", "followers",
                "blocked", "held", "bans",
            )  # fmt: skip
        return ("state", "followers")

    @admin.display(description=_("version"), ordering="latest_number")
    def latest(self, shared: SharedList) -> str:
        number = getattr(shared, "latest_number", None)
        return f"v{number}" if number else "—"

    @admin.display(description=_("journals following"))
    def followers(self, shared: SharedList) -> int:
        running = getattr(shared, "running", None)
        if running is None:
            running = shared.subscriptions.filter(ended_at__isnull=True).count()
        return running

    # The entries, as a reader who may not change the list sees them.
    def _entries(self, shared: SharedList) -> list:
        latest = shared_lists.latest_version(shared)
        return latest.entries if latest else []

    @admin.display(description=_("Blocked words"))
    def blocked(self, shared: SharedList) -> str:
        return linebreaksbr(words_text(self._entries(shared), "block"))

    @admin.display(description=_("Held words"))
    def held(self, shared: SharedList) -> str:
        return linebreaksbr(words_text(self._entries(shared), "hold"))

    @admin.display(description=_("Banned accounts"))
    def bans(self, shared: SharedList) -> str:
        return linebreaksbr(bans_text(self._entries(shared)))

    def save_model(self, request, obj, form, change):
        if not change:
            shared = shared_lists.publish(
                journal=form.cleaned_data["journal"],
                by=request.user,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data.get("description", ""),
                entries=form.entries,
            )
            obj.pk = shared.pk
            obj.created_at = shared.created_at
            return
        try:
            shared_lists.change_list(
                shared_list=obj,
                by=request.user,
                entries=form.entries,
                description=form.cleaned_data.get("description", ""),
            )
        except moderation.NotAllowed as refusal:
            self.message_user(request, refusal.message, level=messages.ERROR)

    @admin.action(
        description=_("Unpublish selected lists (they and their history stay)")
    )
    def unpublish_selected(self, request, queryset):
        done = 0
        for shared in queryset:
            if not shared_lists.owns(request.user, shared):
                self.message_user(
                    request,
                    gettext("“%(name)s” is another journal's list: left alone.")
                    % {"name": shared.name},
                    level=messages.WARNING,
                )
                continue
            try:
                shared_lists.unpublish(shared_list=shared, by=request.user)
            except moderation.NotAllowed as refusal:
                self.message_user(
                    request, f"{shared.name}: {refusal.message}", messages.WARNING
                )
                continue
            done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d list unpublished.", "%(count)d lists unpublished.", done
                )
                % {"count": done},
            )


# Appeals and notes on authors ------------------------------------------------------


@admin.register(Appeal)
class AppealAdmin(OwnerScopedReadOnly):
    """Appeals in the owner's journals, read-only: they are answered in the
    queue's Appeals tab (or the API), where the deciding-moderator rule holds."""

    list_display = (
        "created_at",
        "author",
        "journal",
        "decision_action",
        "state",
        "decided_by_name",
        "decided_at",
    )
    list_filter = ("state", ("journal", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("journal", "author", "decision")
    date_hierarchy = "created_at"

    @admin.display(description=_("decision"), ordering="decision__action")
    def decision_action(self, appeal: Appeal) -> str:
        return appeal.decision.action


@admin.register(AuthorNote)
class AuthorNoteAdmin(OwnerScopedAdmin):
    """Moderators' private notes on authors (``moderation.notes``): written here
    as from the queue, dated and signed, never rewritten; "Take back" retires
    a note and keeps its row. Only journals the owner moderates, and never
    shown to the author."""

    owner_lookup = "journal__owner"
    list_display = (
        "created_at",
        "author",
        "journal",
        "excerpt",
        "written_by_name",
        "retired_at",
    )
    list_filter = (("journal", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("journal", "author")
    search_fields = ("text", "author__username", "written_by_name")
    date_hierarchy = "created_at"
    fields = ("journal", "author", "text")
    actions = ("retire_selected",)

    @admin.display(description=_("note"))
    def excerpt(self, note: AuthorNote) -> str:
        return note.text if len(note.text) <= 80 else f"{note.text[:79]}…"

    def get_queryset(self, request):
        # Never the notes on the owner themselves (``notes.notes_moderated_by``).
        return super().get_queryset(request).exclude(author_id=request.user.pk)

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return (*self.fields, "written_by_name", "created_at", "retired_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # A signed note is never rewritten: it is taken back and another written.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "journal":
            # Superusers too: a note is signed by a moderator of the journal.
            kwargs["queryset"] = Journal.objects.filter(owner=request.user)
        elif db_field.name == "author":
            return PersonField(
                get_user_model().objects.all(),
                label=_("author"),
                help_text=_("Their username, exactly as written."),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Through the service, like the queue and the API (signed, audited).
        note = notes.write_note(
            moderator=request.user,
            journal=obj.journal,
            author=obj.author,
            text=obj.text,
        )
        obj.pk, obj.created_at = note.pk, note.created_at
        obj.written_by, obj.written_by_name = note.written_by, note.written_by_name
        obj._state.adding = False

    @admin.action(description=_("Take the selected notes back"))
    def retire_selected(self, request, queryset):
        retired = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                notes.retire_note(moderator=request.user, note_id=pk)
            except (moderation.NotFound, moderation.NotAllowed):
                continue  # taken back already, or not in a journal they moderate
            retired += 1
        self.message_user(
            request,
            ngettext("%(n)d note taken back.", "%(n)d notes taken back.", retired)
            % {"n": retired},
        )
