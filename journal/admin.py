"""Admin for blog owners: a staff owner sees and edits only their own journals.

Declarations only: saving a post or adding a comment goes through
journal.services, like every other door. The moderation plugin extends the
journal and comment pages with its own (``moderation.admin``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import pagecache, services
from .client_ip import client_ip
from .conf import option
from .forms import PeopleField
from .models import Comment, CommentRevision, Journal, Post
from .params import whole_number
from .plugins import Origin
from .sentences import reason_text


class OwnerScopedAdmin(admin.ModelAdmin):
    """Limit a model admin to objects in journals the staff user owns.

    Ownership replaces Django's model permissions here, so a blog owner needs no
    permission setup: being staff and owning a journal is enough.
    """

    owner_lookup = "owner"

    class Media:
        css = {"all": ("css/admin.css",)}

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


class NamedRowsInline(admin.TabularInline):
    """A tabular inline whose every input is labelled with its column and row,
    and whose rows do not repeat their object's name over their own fields."""

    template = "admin/edit_inline/tabular_named.html"


class JournalOwnerInline(NamedRowsInline):
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


def escaped_help_texts(model) -> dict[str, str]:
    """The model's help texts, escaped. The admin prints help text as HTML, so
    "/<name>/" became a tag and the page said "//"."""
    return {
        field.name: escape(field.help_text)
        for field in model._meta.get_fields()
        if getattr(field, "help_text", "")
    }


def suggest(field, people: list[str]) -> None:
    """Give a people picker its suggestions, through the admin's wrapper."""
    widget = field.widget
    getattr(widget, "widget", widget).suggestions = people


@admin.register(Journal)
class JournalAdmin(OwnerScopedAdmin):
    list_display = ("name", "title", "owner", "comment_access", "created_at")
    list_select_related = ("owner",)
    search_fields = ("name", "title")
    fieldsets = (
        (None, {"fields": ("name", "title", "description", "owner")}),
        (_("People"), {"fields": ("members", "moderators")}),
        (
            _("Comments"),
            {"fields": ("comment_access", "edit_window_minutes", "ip_logging")},
        ),
    )

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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The title, description or settings show on readers' cached pages.
        pagecache.touch_journals([obj.name])

    def get_form(self, request, obj=None, **kwargs):
        # Read-only fields take their help text from here too.
        kwargs.setdefault("help_texts", escaped_help_texts(Journal))
        form = super().get_form(request, obj, **kwargs)
        people = known_people(obj)
        for name in ("members", "moderators"):
            if name in form.base_fields:
                suggest(form.base_fields[name], people)
        return form


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
        body = self.cleaned_data["body_source"]
        limit = option("POST_MAX_LENGTH")
        if len(body) > limit:
            raise ValidationError(
                ngettext(
                    "A post may be at most %(limit)s character; this one has "
                    "%(count)s.",
                    "A post may be at most %(limit)s characters; this one has "
                    "%(count)s.",
                    limit,
                ),
                params={
                    "limit": number_format(limit, force_grouping=True),
                    "count": number_format(len(body), force_grouping=True),
                },
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
                origin=Origin(ip_address=client_ip(self.request)),
            )
        except services.CommentRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from refused
        except ValidationError as invalid:
            # The service names its input "body"; here the field is body_source.
            for name, messages in invalid.message_dict.items():
                field = self.SERVICE_FIELDS.get(name)
                self.add_error(field if field in self.fields else None, messages)
        return cleaned

    SERVICE_FIELDS = {"body": "body_source", "subject": "subject", "parent": "parent"}


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


class CommentRevisionInline(JournalOwnerInline):
    model = CommentRevision
    extra = 0
    fields = ("number", "written_at", "subject", "body_source", "state")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Earlier versions")

    def has_view_permission(self, request, obj=None):
        # Ownership, not model permissions, as everywhere in this admin:
        # without this the journal's owner never saw a comment's history.
        return self._owns(request, obj.journal if obj is not None else None)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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
        for reason in comment.reasons:
            line = f"[{reason['action']}] {reason['code']}: {reason_text(reason)}"
            if reason.get("entry") and reason.get("matched"):
                line += " " + gettext(
                    "(matched “%(matched)s”, list entry “%(entry)s”)"
                ) % {"matched": reason["matched"], "entry": reason["entry"]}
            lines.append(line)
        return "\n".join(lines) or gettext("No rule fired.")

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
                    reason_text(r) for r in saved.reasons if r["action"] == "hold"
                )
                self.message_user(
                    request,
                    _("The comment is held for moderation: %(reasons)s.")
                    % {"reasons": reasons},
                    level="warning",
                )

    def save_related(self, request, form, formsets, change):
        pass

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk delete skips Model.delete(); comments are never hard-deleted.
        actions.pop("delete_selected", None)
        return actions
