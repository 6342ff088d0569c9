"""Import a LiveJournal or Dreamwidth export into a journal, here and now."""

import json
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import Journal

from ... import formats, importing, report, services


class Command(BaseCommand):
    help = (
        "Import a LiveJournal or Dreamwidth export into a journal: the entries "
        "(XML export or ljdump files) and the comments (export_comments.bml's "
        "comment_meta and comment_body pages). Importing again updates what "
        "changed and adds nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("journal", help="the journal's name here")
        for option, kind in (
            ("--entries", "entries"),
            ("--comment-meta", "comment_meta"),
            ("--comment-body", "comment_body"),
        ):
            parser.add_argument(
                option,
                nargs="+",
                action="extend",
                default=[],
                metavar="FILE",
                help=f"{kind} file(s)",
            )
        parser.add_argument(
            "--site",
            default="livejournal.com",
            help="the old site, shown after the names of its commenters",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OLD=USERNAME",
            help="an old name whose comments are an account's here (repeatable)",
        )
        parser.add_argument(
            "--match-usernames",
            action="store_true",
            help="link the owner's own old username to the owner's account "
            "(other people's comments are never linked to accounts here)",
        )
        parser.add_argument("--by", help="the username recorded as starting it")
        parser.add_argument(
            "--dry-run", action="store_true", help="import, report, keep nothing"
        )
        parser.add_argument(
            "--json", action="store_true", help="print the report as JSON"
        )

    def handle(self, *args, **options):
        journal = Journal.objects.filter(name=options["journal"]).first()
        if journal is None:
            raise CommandError(
                _("No journal called %(name)s.") % {"name": options["journal"]}
            )
        by = None
        if options["by"]:
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(
                    _("No user called %(name)s.") % {"name": options["by"]}
                )
        if options["comment_body"] and not options["comment_meta"]:
            raise CommandError(
                _("Give the comment_meta file(s) too: the commenters' names are in it.")
            )
        sources = []
        for kind in formats.KINDS:
            for name in options[kind]:
                path = Path(name)
                try:
                    sources.append(formats.Source(kind, path.name, path.read_bytes()))
                except OSError as error:
                    raise CommandError(f"{name}: {error.strerror}") from error
        if not sources:
            raise CommandError(_("Give the export files to import."))
        try:
            name_map = services.parse_name_map(options["map"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        def tell(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{done:,} / {total:,}")

        started = time.perf_counter()
        job, result = services.import_now(
            journal=journal,
            sources=sources,
            options=importing.Options(
                site=options["site"].strip().lower(),
                match_usernames=options["match_usernames"],
                name_map=name_map,
                dry_run=options["dry_run"],
            ),
            by=by,
            on_progress=tell,
        )
        seconds = time.perf_counter() - started
        if "error" in result:
            raise CommandError(
                report.refusal_text(result["error"]["code"], result["error"])
            )
        if options["json"]:
            self.stdout.write(json.dumps({**result, "seconds": round(seconds, 3)}))
            return
        for line in report.summary_lines(result):
            self.stdout.write(line)
        self.stdout.write(
            _("Took %(seconds).2f s.") % {"seconds": seconds}
            + (f" ({_('import')} #{job.pk})" if job else "")
        )
