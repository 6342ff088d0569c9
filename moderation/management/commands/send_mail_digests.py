"""Queue the reply digests that are due, and look after the outbox. Run it every
few minutes from cron; the task workers send the mail."""

from django.core.management.base import BaseCommand

from accounts import tasks as mail_tasks
from moderation.tasks import send_reply_digests


class Command(BaseCommand):
    help = (
        "Queue the reply digests that waited an hour, send again mails whose "
        "worker was lost, and report those given up (run every few minutes)."
    )

    def handle(self, *args, **options):
        send_reply_digests.enqueue()
        again, given_up = mail_tasks.sweep()
        self.stdout.write(
            f"Reply digests queued; {again} mail(s) queued again, "
            f"{given_up} given up (see the log)."
        )
