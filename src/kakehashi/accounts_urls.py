"""Account pages: sign up, log in and out, reset a password, choose a language."""

app_name = "accounts"
urlpatterns: list[object] = []
