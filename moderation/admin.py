"""Read-only views of the audit log and of readers' reports, owner-scoped."""

from django.contrib import admin

from journal.admin import OwnerScopedAdmin

from .models import AuditEntry, Report


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
