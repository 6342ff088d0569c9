"""Admin for blog owners: a staff owner sees and edits only their own journals.

Declarations only: saving a post or adding a comment goes through
journal.services, like every other door.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Comment, Journal, Post


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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "journal":
                kwargs["queryset"] = Journal.objects.owned_by(request.user)
            elif db_field.name == "post":
                kwargs["queryset"] = Post.objects.owned_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Journal)
class JournalAdmin(OwnerScopedAdmin):
    list_display = ("name", "title", "owner", "comment_access", "created_at")
    list_select_related = ("owner",)
    search_fields = ("name", "title")
    filter_horizontal = ("members", "moderators")
    fieldsets = (
        (None, {"fields": ("name", "title", "description", "owner")}),
        (_("People"), {"fields": ("members", "moderators")}),
        (
            _("Comment settings"),
            {
                "fields": ("comment_access",),
                "description": _(
                    "Who may comment in this journal. Each post can also turn "
                    "comments off on its own page."
                ),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return ("name", "owner") if obj else ()

    def has_add_permission(self, request):
        return request.user.is_superuser


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
        )
        widgets = {"body_source": forms.Textarea(attrs={"rows": 20, "cols": 100})}

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
        (_("Comments"), {"fields": ("comments_enabled",)}),
        (
            _("Cleaned body, as stored and shown"),
            {"fields": ("body_html",), "classes": ("collapse",)},
        ),
    )

    def save_model(self, request, obj, form, change):
        services.save_post(
            post=obj, tag_names=services.parse_tag_names(form.cleaned_data["tag_names"])
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
                parent=cleaned.get("parent"),
            )
        except services.CommentRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from refused
        return cleaned


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
        "created_at",
        "edited_at",
    )

    @admin.display(description=_("comment"))
    def excerpt(self, comment: Comment) -> str:
        text = comment.subject or comment.body_source
        return text if len(text) <= 80 else f"{text[:79]}…"

    @admin.display(description=_("author"), ordering="author__username")
    def author_display(self, comment: Comment) -> str:
        return comment.author_label

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

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

    def save_model(self, request, obj, form, change):
        if not change:
            # The service already stored it while validating the form.
            form.instance = form.saved_comment
            obj.pk = form.saved_comment.pk

    def save_related(self, request, form, formsets, change):
        pass

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk delete skips Model.delete(); comments are never hard-deleted.
        actions.pop("delete_selected", None)
        return actions
