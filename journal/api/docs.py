"""The schema and docs views, from drf-spectacular, answering odd requests with a
4xx: a version that cannot go into a header, or a method they do not serve."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import ValidationError

# The version ends up in the Content-Disposition header of the download.
VERSION = re.compile(r"[\w.\-]{1,20}", re.ASCII)


class SchemaView(SpectacularAPIView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        version = request.query_params.get("version")
        if version is not None and not VERSION.fullmatch(version):
            raise ValidationError({"version": [_("Not a version.")]})
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    # Its page is a template for GET; OPTIONS would look for one that is not there.
    http_method_names = ["get", "head"]
