"""The office: pages for staff, by role and center."""

app_name = "office"
urlpatterns: list[object] = []
