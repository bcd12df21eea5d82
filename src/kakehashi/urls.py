from django.contrib import admin
from django.urls import include, path

from kakehashi.api.root import api
from kakehashi.core.views.accounts import remember_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # The language switch remembers a signed-in person's choice; otherwise it is Django's.
    path("i18n/setlang/", remember_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("kakehashi.accounts_urls")),
    path("office/", include("kakehashi.office_urls")),
    # Public and unauthenticated by design: certificate verification and the network's
    # published keys, calendar feeds (signed links), payment providers' webhooks.
    path("", include("kakehashi.credentials.urls")),
    path("calendar/", include("kakehashi.calendar_urls")),
    path("payments/", include("kakehashi.payments.urls")),
    path("", include("kakehashi.portal_urls")),
]
