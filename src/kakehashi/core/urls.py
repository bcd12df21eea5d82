"""Account pages: sign up, log in and out, reset a password, choose a language."""

from django.urls import path

from kakehashi.core.views import accounts

app_name = "accounts"
urlpatterns = [
    path("", accounts.account, name="account"),
    path("signup/", accounts.sign_up, name="signup"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("language/", accounts.choose_language, name="language"),
    # "again/" before the token pattern, which would otherwise take it for a token.
    path("verify/again/", accounts.send_verification_again, name="send_verification"),
    path("verify/<str:token>/", accounts.confirm_email, name="verify_email"),
    path("password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
