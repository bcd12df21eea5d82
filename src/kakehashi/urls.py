from django.contrib import admin
from django.urls import include, path

from kakehashi.api.root import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("kakehashi.accounts_urls")),
    path("office/", include("kakehashi.office_urls")),
    path("", include("kakehashi.portal_urls")),
]
