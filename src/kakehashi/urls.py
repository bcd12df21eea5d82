"""Every address of Kakehashi, assembled from the apps' ``urls.py`` by audience.

Each app lists its patterns by who uses them (``office_patterns``, ``portal_patterns``,
``calendar_patterns``, ``public_patterns``); here they are mounted under one namespace per
audience, in the order that keeps the more specific patterns first.
"""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from kakehashi.admissions import urls as admissions
from kakehashi.api.root import api
from kakehashi.catalog import urls as catalog
from kakehashi.core.views.accounts import remember_language
from kakehashi.credentials import urls as credentials
from kakehashi.delivery import urls as delivery
from kakehashi.payments import urls as payments

Patterns = list[URLPattern | URLResolver]

# The office: pages for staff, by role and center. Each page shows only what the person's
# roles allow (see ``kakehashi.network.access``): another center's records are not found
# (404), and what they may see but not change is refused (403). Anonymous people are sent
# to the login page.
office_patterns: Patterns = [
    *catalog.office_patterns,
    *admissions.office_patterns,
    *delivery.office_patterns,
    *credentials.office_patterns,
    *payments.office_patterns,
]

# The participant portal: the catalog, applying, and a participant's own pages. In this
# order: a participant's signed link (``me/<token>/``) takes any single segment after
# ``me/``, so the apps' pages below it live under ``me/account/`` or ``me/<token>/…``.
portal_patterns: Patterns = [
    *catalog.portal_patterns,
    *admissions.portal_patterns,
    *delivery.portal_patterns,
    *credentials.portal_patterns,
    *payments.portal_patterns,
]

# Calendar feeds (iCalendar), for calendar apps that subscribe to them.
calendar_patterns: Patterns = [
    *admissions.calendar_patterns,
    *catalog.calendar_patterns,
]

urlpatterns: Patterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # The language switch remembers a signed-in person's choice; otherwise it is Django's.
    path("i18n/setlang/", remember_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("kakehashi.core.urls")),
    path("office/", include((office_patterns, "office"))),
    # Public and unauthenticated by design: certificate verification and the network's
    # published keys, calendar feeds (signed links), payment providers' webhooks.
    path("", include((credentials.public_patterns, "credentials"))),
    path("calendar/", include((calendar_patterns, "calendar"))),
    path("payments/", include(payments.public_patterns)),
    path("", include((portal_patterns, "portal"))),
]
