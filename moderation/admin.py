"""Read-only views of the audit log and of readers' reports, owner-scoped."""

from django.contrib import admin

from .models import AuditEntry, Report


class OwnerScopedReadOnly(admin.ModelAdmin):
    """Rows of journals the staff user owns (all for a superuser); nothing editable."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(journal__owner=request.user)

    def _owner(self, request) -> bool:
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or user.owned_journals.exists())
        )

    def has_module_permission(self, request):
        return self._owner(request)

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            return self.get_queryset(request).filter(pk=obj.pk).exists()
        return self._owner(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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
