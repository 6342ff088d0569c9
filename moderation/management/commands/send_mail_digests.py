"""Send the reply digests that are due. Run it every few minutes from cron."""

from django.core.management.base import BaseCommand

from moderation.notifications import send_reply_digests


class Command(BaseCommand):
    help = "Send the reply digests that waited an hour (run every few minutes)."

    def handle(self, *args, **options):
        sent = send_reply_digests()
        self.stdout.write(f"{sent} digest mail(s) sent.")
