"""Mail servers that misbehave, as Django e-mail backends, for the retry tests:
one that is down, and one that is down for a while and then delivers into
``mail.outbox`` like the locmem backend."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class DownBackend(BaseEmailBackend):
    """An SMTP server that refuses every connection."""

    def open(self):
        raise smtplib.SMTPConnectError(421, b"Service not available")

    def send_messages(self, email_messages):
        self.open()


class FlakyBackend(LocmemBackend):
    """Down for the first ``failures`` connections, then fine."""

    failures = 1
    opened = 0

    def open(self):
        type(self).opened += 1
        if type(self).opened <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().open()
