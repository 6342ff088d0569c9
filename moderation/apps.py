from django.apps import AppConfig


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = "Comment moderation"
    # What the platform calls (journal.plugins): installing the app installs it.
    journal_plugin = "moderation.plugin.ModerationPlugin"
