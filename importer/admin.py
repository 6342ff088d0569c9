"""The owner's import page: upload an export into one of your journals, then
watch the job run and read its report.

Scoped like the rest of the owners' admin (``journal.admin.OwnerScopedAdmin``):
the journal field offers only the owner's journals, and another owner's job
(its page, its status) is the same 404 as one that does not exist. Starting
an import goes through ``importer.services.start_import``.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from journal.admin import OwnerScopedAdmin
from journal.params import whole_number

from . import progress, report, services
from .conf import option
from .forms import ImportForm
from .models import ImportJob, JobState


def status_of(job: ImportJob) -> dict:
    """What the job page shows of a job's progress, also as JSON."""
    done, total = job.done, job.total
    if job.state == JobState.RUNNING:
        done, total = progress.read(job.pk) or (done, total)
    if job.state == JobState.QUEUED:
        text = gettext("Waiting for a worker to start the import.")
    elif job.state == JobState.FAILED:
        text = gettext("The import failed; nothing was imported.")
    elif not total:
        text = (
            gettext("Reading the files…")
            if job.state == JobState.RUNNING
            else gettext("Done: nothing to import.")
        )
    else:
        values = {
            "done": f"{done:,}",
            "total": f"{total:,}",
            "percent": done * 100 // total,
        }
        if job.state == JobState.DONE:
            text = gettext("Done: %(total)s items.") % values
        elif done >= total:
            text = gettext("All %(total)s items read; saving them…") % values
        else:
            text = gettext("%(done)s of %(total)s items (%(percent)s%%)") % values
    return {
        "state": job.state,
        "label": str(JobState(job.state).label),
        "done": done,
        "total": total,
        "finished": job.finished,
        "text": text,
    }


@admin.register(ImportJob)
class ImportJobAdmin(OwnerScopedAdmin):
    owner_lookup = "journal__owner"
    form = ImportForm
    add_form_template = "admin/importer/importjob/add_form.html"
    list_display = ("__str__", "journal", "state", "progress_text", "created_at")
    list_filter = ("state",)
    list_select_related = ("journal",)

    class Media:
        css = {"all": ("css/admin.css", "importer/importer.css")}

    @admin.display(description=_("progress"))
    def progress_text(self, job: ImportJob) -> str:
        return status_of(job)["text"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # A plain choice of journal, without links to edit one in a popup.
        field.widget.can_change_related = field.widget.can_view_related = False
        return field

    def has_change_permission(self, request, obj=None):
        # A job is a record: started here, then only read.
        return False

    def get_fieldsets(self, request, obj=None):
        return (
            (None, {"fields": ("journal", "site")}),
            (
                _("Files"),
                {
                    "fields": ("entries", "comment_meta", "comment_body"),
                    "description": _(
                        "At most %(limit)s in all. Importing again is safe: what "
                        "was imported before is updated, never added twice."
                    )
                    % {"limit": f"{option('MAX_UPLOAD_BYTES') // (1024 * 1024)} MB"},
                },
            ),
            (_("Commenters"), {"fields": ("match_usernames", "names")}),
        )

    def save_model(self, request, obj, form, change):
        job = services.start_import(
            journal=form.cleaned_data["journal"],
            by=request.user,
            sources=form.sources,
            site=form.cleaned_data["site"],
            match_usernames=form.cleaned_data["match_usernames"],
            name_map=form.name_map,
        )
        obj.pk = job.pk
        form.instance = job

    def save_related(self, request, form, formsets, change):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(
            reverse("admin:importer_importjob_change", args=[obj.pk])
        )

    def get_urls(self):
        return [
            path(
                "<int:job_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="importer_importjob_status",
            ),
            *super().get_urls(),
        ]

    def _job(self, request, job_id) -> ImportJob | None:
        if not (request.user.is_active and request.user.is_staff):
            return None
        return (
            self.get_queryset(request)
            .select_related("journal", "created_by")
            .filter(pk=job_id)
            .first()
        )

    def status_view(self, request, job_id: int):
        """The job's progress as JSON, for the job page's script."""
        job = self._job(request, job_id)
        if job is None:
            return JsonResponse(
                {"code": "not_found", "detail": gettext("No such import.")}, status=404
            )
        # admin_view marks it never to be cached.
        return JsonResponse(status_of(job))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: its progress while it runs, then its report."""
        # ASCII digits only: "²" passes str.isdigit() and fails int().
        job = self._job(request, whole_number(str(object_id)))
        if job is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        lines = report.issue_lines(job.report)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "status": status_of(job),
            "poll_ms": option("POLL_MS"),
            "status_url": reverse("admin:importer_importjob_status", args=[job.pk]),
            "error": (
                report.refusal_text(
                    job.report["error"].get("code", ""), job.report["error"]
                )
                if "error" in job.report
                else ""
            ),
            "states": [
                (report.state_label(state), counts)
                for state, counts in job.report.get("states", {}).items()
            ],
            "skipped": lines[report.SKIPPED],
            "cut": lines[report.CUT],
            "notes": lines[report.NOTE],
            "not_shown": report.not_shown(job.report),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/importer/importjob/job.html", context)
