from django.contrib.admin.apps import AdminConfig


class JournalAdminConfig(AdminConfig):
    """Django's admin with this project's site (config.admin.JournalAdminSite)."""

    default_site = "config.admin.JournalAdminSite"
