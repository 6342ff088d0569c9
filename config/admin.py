"""The admin site: Django's, with "view on site" scoped like everything else.

Django's ``/admin/r/<content type>/<id>/`` redirects to any object's page for
any staff user, which would tell a journal's owner where another journal's
held comment lives. Here it answers only for objects the model's admin shows
the user; anything else is the same 404 as something that does not exist.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.urls import path

from journal.params import whole_number


class JournalAdminSite(admin.AdminSite):
    def get_urls(self):
        urls = [
            pattern
            for pattern in super().get_urls()
            if getattr(pattern, "name", None) != "view_on_site"
        ]
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            *urls,
        ]

    def view_on_site(self, request, content_type_id: int, object_id: str):
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        model_admin = self._registry.get(model)
        number = whole_number(object_id)
        if model_admin is None or number is None:
            raise Http404
        obj = model_admin.get_queryset(request).filter(pk=number).first()
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404
        return shortcut(request, content_type_id, object_id)
