"""Account pages: sign up, verify the email address, log in and out, reset or change the
password, and choose a language. Every change is a call to
:mod:`kakehashi.core.services.accounts`; the pages translate its errors and set cookies."""

from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from kakehashi.core.actors import StaffActor, SystemActor
from kakehashi.core.errors import Conflict, InvalidInput
from kakehashi.core.forms import (
    EMAIL_TAKEN,
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    OutboxPasswordResetForm,
    SignUpForm,
)
from kakehashi.core.models import User
from kakehashi.core.services import accounts

# Django's own backend: the one that checks passwords, named when logging in a new account.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _account(request: HttpRequest) -> User:
    """The logged-in user of a view behind ``login_required``."""
    return cast(User, request.user)


def _safe_next(request: HttpRequest) -> str:
    """``?next=`` (or the posted ``next``) when it points into this site, else ``""``."""
    target = request.POST.get("next", request.GET.get("next", ""))
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    # The same cookie Django's set_language view writes, which LocaleMiddleware reads.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.create_account(
                # Nobody is signed in yet: the system opens the account the visitor asked for.
                actor=SystemActor("accounts.sign_up"),
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                language=translation.get_language() or "",
                absolute_url=request.build_absolute_uri,
            )
        except accounts.EmailTaken:
            form.add_error("email", ValidationError(EMAIL_TAKEN, code="email_taken"))
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(
                request,
                gettext("Welcome! We sent a link to %(email)s: open it to confirm your address.")
                % {"email": user.email},
            )
            return redirect(_safe_next(request) or reverse("accounts:account"))
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request)})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        # ?next= pointing back at this page would send a logged-in visitor round in circles
        # (Django refuses that with an error): take it as no next at all.
        target = str(super().get_redirect_url())
        return "" if urlsplit(target).path == self.request.path else target

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = cast(User, form.get_user())
        if user.preferred_language:
            _set_language_cookie(response, user.preferred_language)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(self.request, "axes_locked_out", False):
            # AxesMiddleware would swap this page for its bare, untranslated text; the form
            # already says what happened, so keep the page and only take axes' status code.
            self.request.axes_locked_out = False  # type: ignore[attr-defined]
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST; a GET (a typed or followed link) asks for the click."""

    http_method_names = ["get", "post", "options"]
    template_name = "accounts/logout.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return render(request, self.template_name, {"next": self.get_redirect_url()})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset_body.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, gettext("Your password is changed."))
        return response


def _account_page(
    request: HttpRequest, language_form: LanguageForm, status: int = 200
) -> HttpResponse:
    user = _account(request)
    verified = user.email_verified_at is not None
    context = {"account": user, "verified": verified, "language_form": language_form}
    return render(request, "accounts/account.html", context, status=status)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    initial = {"language": _account(request).preferred_language}
    return _account_page(request, LanguageForm(initial=initial))


@login_required
@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    language = form.cleaned_data["language"]
    accounts.choose_language(actor=StaffActor(user), user=user, language=language)
    response = HttpResponseRedirect(reverse("accounts:account"))
    if language:
        _set_language_cookie(response, language)
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
        )
    # Said in the language just chosen, which the next page will speak.
    with translation.override(language or translation.get_language()):
        messages.success(request, gettext("Your language is saved."))
    return response


@login_required
@require_POST
def send_verification_again(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    try:
        sent = accounts.send_verification_again(
            actor=StaffActor(user), user=user, absolute_url=request.build_absolute_uri
        )
    except Conflict as error:  # already confirmed
        messages.info(request, error.message)
        return redirect("accounts:account")
    if sent:
        messages.success(
            request, gettext("We sent a new link to %(email)s.") % {"email": user.email}
        )
    else:
        messages.info(
            request,
            gettext(
                "We sent you a link less than a minute ago. Check your inbox (and spam folder) "
                "before asking again."
            ),
        )
    return redirect("accounts:account")


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link from the verification mail confirms the address."""
    try:
        # Whoever opens the link need not be signed in: the signed link is the proof.
        user = accounts.verify_email(actor=SystemActor("accounts.verify_email"), token=token)
    except InvalidInput as error:
        return render(
            request, "accounts/email_not_confirmed.html", {"problem": error.message}, status=400
        )
    return render(request, "accounts/email_confirmed.html", {"email": user.email})


@require_POST
def remember_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: Django's ``set_language``, which also keeps the choice
    on a signed-in person's account, so that it follows them to other devices and mail."""
    from django.views.i18n import set_language

    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        isinstance(user, User)
        and user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and user.preferred_language != language
    ):
        accounts.choose_language(actor=StaffActor(user), user=user, language=language)
    return response
