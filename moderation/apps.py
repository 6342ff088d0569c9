from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = _("Comment moderation")
    # What the platform calls (journal.plugins): installing the app installs it.
    journal_plugin = "moderation.plugin.ModerationPlugin"
