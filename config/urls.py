from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_patterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(auth_patterns)),
    path("accounts/", include("accounts.urls")),
    path("moderation/", include("moderation.urls")),
    path("", include("journal.urls")),
]

if settings.DEBUG:
    # Uploaded userpics in development; production serves MEDIA_ROOT from the
    # web server or object storage.
    urlpatterns = (
        static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
    )
