from django.contrib import admin
from django.urls import include, path

from kakehashi.api.root import api
from kakehashi.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
