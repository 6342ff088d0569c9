from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.urls import auth_patterns
from journal.api.docs import DocsView, SchemaView
from journal.api.errors import api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switcher's form posts here (django.views.i18n.set_language).
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include(auth_patterns)),
    path("accounts/", include("accounts.urls")),
    path("moderation/", include("moderation.urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("journal.api.urls")),
    # The moderation plugin's endpoints (under api/moderation/ and beside the
    # platform's journals, posts and comments).
    path("api/", include("moderation.api.urls")),
    # Any other /api/ address is a JSON 404, never the HTML page.
    re_path(r"^api/", api_not_found),
    path("", include("journal.urls")),
]

# Oversized or malformed requests: a JSON error under /api/, a plain page elsewhere.
handler400 = "journal.views.bad_request"

if settings.DEBUG:
    # Uploaded userpics in development; production serves MEDIA_ROOT from the
    # web server or object storage.
    urlpatterns = (
        static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
    )
