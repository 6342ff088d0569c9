from django.apps import AppConfig
from django.core import checks as django_checks
from django.utils.translation import gettext_lazy as _

from . import checks


class JournalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "journal"
    verbose_name = _("Journals")

    def ready(self):
        django_checks.register(checks.trusted_proxies)
        django_checks.register(checks.one_plugin)
        django_checks.register(checks.shared_cache, deploy=True)
