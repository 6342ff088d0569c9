"""Admin for blog owners: a staff owner sees and edits only their own journals.

Declarations only: saving a post or adding a comment goes through
journal.services, like every other door.
"""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from moderation import services as moderation
from moderation.models import AuthorRestriction, RuleSetVersion, WordRule
from moderation.services import record_rule_set

from . import services
from .client_ip import client_ip
from .forms import (
    DistinctWordsFormSet,
    PeopleField,
    PersonField,
    RestrictionForm,
    WordEntryForm,
)
from .models import Comment, CommentRevision, Journal, Post
from .params import whole_number


class OwnerScopedAdmin(admin.ModelAdmin):
    """Limit a model admin to objects in journals the staff user owns.

    Ownership replaces Django's model permissions here, so a blog owner needs no
    permission setup: being staff and owning a journal is enough.
    """

    owner_lookup = "owner"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.owner_lookup: request.user})

    def _is_owner(self, request, obj=None) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        if obj is None:
            return user.owned_journals.exists()
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return self._is_owner(request)

    def has_view_permission(self, request, obj=None):
        return self._is_owner(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_owner(request, obj)

    def has_add_permission(self, request):
        return self._is_owner(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Django's date drill-down turns "?created_at__year=99999..." into a
        # date without asking; send odd values to the admin's "bad filter" page.
        if self.date_hierarchy and not _sane_dates(request.GET, self.date_hierarchy):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "journal":
                kwargs["queryset"] = Journal.objects.owned_by(request.user)
            elif db_field.name == "post":
                kwargs["queryset"] = Post.objects.owned_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


DATE_PARTS = {"year": 9999, "month": 12, "day": 31}


def _sane_dates(params, field: str) -> bool:
    """Whether the date drill-down's values are a real year, month and day."""
    return all(
        whole_number(params[f"{field}__{part}"], most=most) is not None
        for part, most in DATE_PARTS.items()
        if f"{field}__{part}" in params
    )


class JournalOwnerInline(admin.TabularInline):
    """An inline on the journal page, open to whoever owns that journal."""

    def _owns(self, request, journal) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        return journal is None or journal.owner_id == user.pk

    def has_view_permission(self, request, obj=None):
        return self._owns(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._owns(request, obj)


def known_people(journal: Journal | None) -> list[str]:
    """Usernames an owner may pick from: people who commented in the journal,
    and its members and moderators. Anyone else is typed by exact username."""
    if journal is None or journal.pk is None:
        return []
    people = get_user_model().objects.filter(
        Q(comments__journal=journal)
        | Q(member_of_journals=journal)
        | Q(moderated_journals=journal)
    )
    return list(
        people.order_by("username").values_list("username", flat=True).distinct()[:500]
    )


def suggest(field, people: list[str]) -> None:
    """Give a people picker its suggestions, through the admin's wrapper."""
    widget = field.widget
    getattr(widget, "widget", widget).suggestions = people


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


@admin.register(Journal)
class JournalAdmin(OwnerScopedAdmin):
    list_display = ("name", "title", "owner", "comment_access", "created_at")
    list_select_related = ("owner",)
    search_fields = ("name", "title")
    fieldsets = (
        (None, {"fields": ("name", "title", "description", "owner")}),
        (_("People"), {"fields": ("members", "moderators")}),
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
    )
    inlines = (WordRuleInline, AuthorRestrictionInline, RuleSetVersionInline)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return ("name", "owner") if obj else ()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Members and moderators are typed by exact username: an owner never
        # browses the site's accounts.
        if db_field.name in ("members", "moderators"):
            return PeopleField(
                get_user_model().objects.all(),
                required=False,
                label=db_field.verbose_name.capitalize(),
                help_text=db_field.help_text,
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        people = known_people(obj)
        for name in ("members", "moderators"):
            if name in form.base_fields:
                suggest(form.base_fields[name], people)
        return form

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


class PostAdminForm(forms.ModelForm):
    tag_names = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Comma-separated, for example: city life, editor's choice"),
        widget=forms.TextInput(attrs={"size": 80}),
    )

    class Meta:
        model = Post
        fields = (
            "journal",
            "title",
            "body_source",
            "tag_names",
            "published_at",
            "comments_enabled",
            "screen_all_comments",
        )
        widgets = {"body_source": forms.Textarea(attrs={"rows": 20, "cols": 100})}

    def clean_body_source(self):
        from .conf import option

        body = self.cleaned_data["body_source"]
        limit = option("POST_MAX_LENGTH")
        if len(body) > limit:
            raise ValidationError(
                _(
                    "A post may be at most %(limit)s characters; this one has "
                    "%(count)s."
                ),
                params={"limit": f"{limit:,}", "count": f"{len(body):,}"},
            )
        return body

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tag_names"] = ", ".join(
                tag.name for tag in self.instance.tags.all()
            )


@admin.register(Post)
class PostAdmin(OwnerScopedAdmin):
    owner_lookup = "journal__owner"
    form = PostAdminForm
    list_display = ("title", "journal", "published_at", "comments_enabled")
    list_filter = (("journal", admin.RelatedOnlyFieldListFilter), "comments_enabled")
    list_select_related = ("journal",)
    search_fields = ("title",)
    date_hierarchy = "published_at"
    readonly_fields = ("body_html",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "journal",
                    "title",
                    "body_source",
                    "tag_names",
                    "published_at",
                )
            },
        ),
        (_("Comments"), {"fields": ("comments_enabled", "screen_all_comments")}),
        (
            _("Cleaned body, as stored and shown"),
            {"fields": ("body_html",), "classes": ("collapse",)},
        ),
    )

    def save_model(self, request, obj, form, change):
        services.save_post(
            post=obj,
            tag_names=services.parse_tag_names(form.cleaned_data["tag_names"]),
            by=request.user,
        )

    def save_related(self, request, form, formsets, change):
        # Tags were set by the service; the form has no m2m fields of its own.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class CommentAdminForm(forms.ModelForm):
    """Adds a comment as the logged-in admin, through the same service."""

    class Meta:
        model = Comment
        fields = ("post", "parent", "subject", "body_source")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.saved_comment = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # Creating here, not in save_model, lets a refusal come back as a form
        # error instead of an exception.
        try:
            self.saved_comment = services.submit_comment(
                post=cleaned["post"],
                author=self.request.user,
                body=cleaned.get("body_source", ""),
                subject=cleaned.get("subject", ""),
                parent_id=cleaned["parent"].pk if cleaned.get("parent") else None,
                origin=services.Origin(ip_address=client_ip(self.request)),
            )
        except services.CommentRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from refused
        return cleaned


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id box that names only objects of ``visible``: an id from another
    journal shows nothing, exactly like one that does not exist."""

    def __init__(self, rel, admin_site, *, visible, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.visible = visible

    def label_and_url_for_value(self, value):
        number = whole_number(str(value))
        if number is None or not self.visible.filter(pk=number).exists():
            return "", ""
        return super().label_and_url_for_value(value)


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    extra = 0
    fields = ("number", "written_at", "subject", "body_source", "state")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Earlier versions")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(OwnerScopedAdmin):
    owner_lookup = "post__journal__owner"
    list_display = ("excerpt", "author_display", "post", "state", "created_at")
    list_filter = ("state", ("post__journal", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("author", "post__journal")
    search_fields = ("subject", "body_source", "author__username", "author_name")
    raw_id_fields = ("parent",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "post",
        "parent",
        "author",
        "author_name",
        "subject",
        "body_source",
        "body_html",
        "state",
        "verdict",
        "rule_set_version",
        "ip_address",
        "frozen",
        "revision",
        "created_at",
        "edited_at",
    )
    inlines = (CommentRevisionInline,)

    @admin.display(description=_("why"))
    def verdict(self, comment: Comment) -> str:
        lines = []
        for reason in comment.verdict_reasons:
            line = f"[{reason.action.label}] {reason.code}: {reason.message}"
            if reason.entry and reason.matched:
                line += f" (matched “{reason.matched}”, list entry “{reason.entry}”)"
            lines.append(line)
        return "\n".join(lines) or _("No rule fired.")

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        text = comment.subject or comment.body_source
        return text if len(text) <= 80 else f"{text[:79]}…"

    @admin.display(description=_("author"), ordering="author__username")
    def author_display(self, comment: Comment) -> str:
        return comment.author_label

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # Only the owner's comments: as choices and as the widget's label,
            # which Django would otherwise look up among every journal's.
            owned = Comment.objects.owned_by(request.user)
            kwargs["queryset"] = owned
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, visible=owned
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # Existing comments are shown, not edited: authors edit their own text.
        return False

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        form_class = super().get_form(request, obj, form=CommentAdminForm, **kwargs)

        class RequestCommentForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestCommentForm

    def get_inlines(self, request, obj):
        return self.inlines if obj else ()

    def save_model(self, request, obj, form, change):
        if not change:
            # The service already stored it while validating the form.
            saved = form.saved_comment
            form.instance = saved
            obj.pk = saved.pk
            if saved.is_held:
                reasons = "; ".join(
                    r.message for r in saved.verdict_reasons if r.action.label == "hold"
                )
                self.message_user(
                    request,
                    _("The comment is held for moderation: %(reasons)s.")
                    % {"reasons": reasons},
                    level="warning",
                )

    def save_related(self, request, form, formsets, change):
        pass

    actions = ("approve_selected", "reject_selected", "spam_selected")

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk delete skips Model.delete(); comments are never hard-deleted.
        actions.pop("delete_selected", None)
        return actions

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
