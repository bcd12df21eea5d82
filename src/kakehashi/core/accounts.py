"""Account pages: sign up, verify the email address, log in and out, reset or change the
password, and choose a language.

Usernames: a person who signs up gets their email address, lowercased, as username. The
username is unique in the database, so two sign-ups racing with one address cannot both
succeed, and logging in "by email" needs no second lookup for them. Staff accounts made in
the admin keep whatever username they were given; they log in with it or with their email.

Mail leaves through the outbox (:func:`kakehashi.core.outbox.queue_email`), in the
recipient's language, and only after the transaction that asked for it commits.
"""

import datetime
import math
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from axes.helpers import get_cool_off
from axes.utils import reset as reset_login_failures
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kakehashi.core.models import User
from kakehashi.core.outbox import queue_email

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# The salt keeps a verification link from being accepted anywhere else something is signed.
VERIFY_EMAIL_SALT = "kakehashi.accounts.verify-email"
VERIFY_EMAIL_MAX_AGE = datetime.timedelta(days=3)
# At most one mail of each kind (verification, password reset) per account in this window,
# so that a form cannot be used to flood somebody's mailbox.
MAIL_INTERVAL_SECONDS = 60
# Django's own backend: the one that checks passwords, named when logging in a new account.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- helpers ---------------------------------------------------------------------------------


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


def _mail_language(user: User) -> str:
    return user.preferred_language or translation.get_language() or settings.LANGUAGE_CODE


def _first_mail_in_a_while(kind: str, user: User) -> bool:
    """True if no mail of this kind went to this account in the last minute (and note it)."""
    return cache.add(f"accounts:{kind}-mail:{user.pk}", True, MAIL_INTERVAL_SECONDS)


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


class LanguageSelect(forms.Select):
    """A select whose options carry ``lang``, so each language name is read in its own."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        if option["value"]:
            option["attrs"]["lang"] = option["value"]
        return option


def _language_choices() -> list[tuple[str, str]]:
    # Each language under its own name: a person who cannot read the current page's
    # language still finds theirs.
    return [("", gettext("The language of my browser"))] + [
        (code, translation.get_language_info(code)["name_local"])
        for code, _name in settings.LANGUAGES
    ]


# --- the changes -----------------------------------------------------------------------------


class EmailTaken(Exception):
    """Another account already uses this email address."""


def create_account(*, full_name: str, email: str, password: str, language: str) -> User:
    """Create a participant's account, with the email address as username.

    Must run inside a transaction (the verification mail joins it). The whole name goes
    into ``first_name``: names are not split into given and family names, whose order
    differs between the languages we serve.
    """
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=email,
                email=email,
                password=password,
                first_name=full_name,
                preferred_language=language,
            )
    except IntegrityError as error:  # a sign-up with the same address won the race
        raise EmailTaken(email) from error


def queue_verification_email(*, request: HttpRequest, user: User) -> None:
    """Mail ``user`` a signed link that proves they receive mail at their address."""
    token = signing.dumps([user.pk, _address_digest(user.email)], salt=VERIFY_EMAIL_SALT)
    context = {
        "user": user,
        "link": request.build_absolute_uri(reverse("accounts:verify_email", args=[token])),
        "valid_for_days": VERIFY_EMAIL_MAX_AGE.days,
    }
    with translation.override(_mail_language(user)):
        subject = render_to_string("accounts/email/verify_subject.txt", context)
        body = render_to_string("accounts/email/verify_body.txt", context)
    with transaction.atomic():
        queue_email(to=user.email, subject=subject, body=body)


def _address_digest(email: str) -> str:
    # The link names the address by a keyed digest, not in clear: signed data is only
    # base64, and links end up in server and proxy logs.
    return salted_hmac(VERIFY_EMAIL_SALT, email.lower()).hexdigest()[:24]


def verify_email(token: str) -> User:
    """Record that the link's owner receives mail at the address the link was made for.

    Raises ``signing.SignatureExpired`` for an old link and ``signing.BadSignature`` for a
    tampered one or one made for an address the account no longer has.
    """
    user_id, digest = signing.loads(token, salt=VERIFY_EMAIL_SALT, max_age=VERIFY_EMAIL_MAX_AGE)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or not constant_time_compare(_address_digest(user.email), digest):
            raise signing.BadSignature("the link does not match an account's address")
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
    return user


# --- forms -----------------------------------------------------------------------------------


def _password_field(
    label: "str | _StrPromise", *, help_text: "str | _StrPromise" = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


EMAIL_TAKEN = _(
    "An account with this email address already exists. Log in, or set a new password "
    "with “Forgot your password?” on the log-in page."
)


class SignUpForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # At most 150 characters: the address becomes the username, which is no longer.
    email = forms.EmailField(
        label=_("Email address"),
        max_length=150,
        help_text=_("We send a link to this address to confirm that it is yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = _password_field(
        _("Password"), help_text=password_validation.password_validators_help_text_html()
    )
    password2 = _password_field(_("Password again"))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
            raise ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2", ValidationError(_("The two passwords differ."), code="mismatch")
            )
        if password1:
            # Judged against the person's own name and address, like Django's forms do.
            candidate = User(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("full_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Log in by email or by username; every attempt goes through ``authenticate`` with the
    request, so django-axes counts failures and refuses locked-out accounts."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "This email or username and password do not match an account. Check both, "
            "or set a new password with “Forgot your password?”."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = _("Email or username")
        # "username" is the token password managers look for on a log-in form's identifier.
        username.widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = _("Password")

    def clean(self) -> dict[str, Any]:
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier is not None and password:
            self.user_cache = authenticate(
                self.request, username=username_for_login(identifier), password=password
            )
            if self.user_cache is None:
                if getattr(self.request, "axes_locked_out", False):
                    raise ValidationError(lockout_message(self.request), code="locked_out")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


def username_for_login(identifier: str) -> str:
    """The username to authenticate: the identifier itself, or the username of the one
    account with that email address. Resolving first means that "Anna@example.org" and
    "anna@example.org" count against the same account in django-axes."""
    identifier = identifier.strip()
    if "@" in identifier and not User.objects.filter(username=identifier).exists():
        usernames = list(
            User.objects.filter(email__iexact=identifier).values_list("username", flat=True)[:2]
        )
        if len(usernames) == 1:  # an address shared by two staff accounts names neither
            return usernames[0]
    return identifier


def lockout_message(request: HttpRequest | None) -> str:
    cool_off = get_cool_off(request)
    if cool_off is None:
        return gettext(
            "Too many failed attempts to log in: this account is locked. Set a new password "
            "with “Forgot your password?”, or ask the network office to unlock it."
        )
    hours = max(1, math.ceil(cool_off.total_seconds() / 3600))
    return ngettext(
        "Too many failed attempts to log in: for your safety, this account cannot log in "
        "from here for %(hours)d hour. Try again later, or set a new password with "
        "“Forgot your password?”.",
        "Too many failed attempts to log in: for your safety, this account cannot log in "
        "from here for %(hours)d hours. Try again later, or set a new password with "
        "“Forgot your password?”.",
        hours,
    ) % {"hours": hours}


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the mail written to the outbox in the user's language.

    An unknown address sends nothing and looks exactly like a known one to the person
    asking, so the form does not reveal who has an account.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user: User = context["user"]
        if not _first_mail_in_a_while("password-reset", user):
            return
        context = {**context, "valid_for_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        with translation.override(_mail_language(user)):
            subject = render_to_string(subject_template_name, context)
            body = render_to_string(email_template_name, context)
        with transaction.atomic():
            queue_email(to=to_email, subject=subject, body=body)


class NewPasswordForm(SetPasswordForm):
    """Setting a password from a reset link also lifts a log-in lockout, and proves the
    address: the link reached it."""

    def save(self, commit: bool = True) -> Any:
        user = cast(User, super().save(commit=False))
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
        if commit:
            user.save()
            reset_login_failures(username=user.get_username())
        return user


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Your language"), required=False, widget=LanguageSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = _language_choices()
        language.help_text = _("For these pages and for the mail we send you.")


# --- views -----------------------------------------------------------------------------------


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        language = translation.get_language() or ""
        try:
            with transaction.atomic():
                user = create_account(
                    full_name=form.cleaned_data["full_name"],
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    language=language if language in dict(settings.LANGUAGES) else "",
                )
                _first_mail_in_a_while("verification", user)
                queue_verification_email(request=request, user=user)
        except EmailTaken:
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
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
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
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
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
    if user.email_verified_at is not None:
        messages.info(request, gettext("Your email address is already confirmed."))
    elif not _first_mail_in_a_while("verification", user):
        messages.info(
            request,
            gettext(
                "We sent you a link less than a minute ago. Check your inbox (and spam folder) "
                "before asking again."
            ),
        )
    else:
        with transaction.atomic():
            queue_verification_email(request=request, user=user)
        messages.success(
            request, gettext("We sent a new link to %(email)s.") % {"email": user.email}
        )
    return redirect("accounts:account")


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link from the verification mail confirms the address."""
    try:
        user = verify_email(token)
    except signing.SignatureExpired:
        days = VERIFY_EMAIL_MAX_AGE.days
        problem = ngettext(
            "This link has expired: links to confirm an address work for %(days)d day. "
            "Log in and ask for a new one on your account page.",
            "This link has expired: links to confirm an address work for %(days)d days. "
            "Log in and ask for a new one on your account page.",
            days,
        ) % {"days": days}
    except signing.BadSignature:
        problem = gettext(
            "This link is not valid: it may have been copied only in part, or it was made "
            "for another address. Log in and ask for a new one on your account page."
        )
    else:
        return render(request, "accounts/email_confirmed.html", {"email": user.email})
    return render(request, "accounts/email_not_confirmed.html", {"problem": problem}, status=400)


@require_POST
def remember_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: Django's ``set_language``, which also keeps the choice
    on a signed-in person's account, so that it follows them to other devices and mail."""
    from django.views.i18n import set_language

    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and getattr(user, "preferred_language", None) != language
    ):
        User.objects.filter(pk=user.pk).update(preferred_language=language)
    return response
