"""The states a comment moves through. Apart from the models so that the
querysets, which the models module imports, can name them too."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommentState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for moderation")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")
    DELETED = "deleted", _("Deleted by its author")
    REMOVED = "removed", _("Removed with its thread by a moderator")
