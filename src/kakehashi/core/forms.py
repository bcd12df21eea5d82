"""The account pages' forms. They check what a form can know and hand the change to
:mod:`kakehashi.core.services.accounts`; none of them writes a record itself."""

import math
from typing import TYPE_CHECKING, Any, cast

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kakehashi.core.actors import StaffActor, SystemActor
from kakehashi.core.models import User
from kakehashi.core.outbox import queue_email
from kakehashi.core.services import accounts

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


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
        if not accounts.first_mail_in_a_while("password-reset", user):
            return
        context = {**context, "valid_for_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        language = user.preferred_language or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = render_to_string(subject_template_name, context)
            body = render_to_string(email_template_name, context)
        with transaction.atomic():
            queue_email(to=to_email, subject=subject, body=body)


class NewPasswordForm(SetPasswordForm):
    """The password chosen through a reset link, set by
    :func:`~kakehashi.core.services.accounts.set_password_after_reset` (which also proves
    the address and lifts a log-in lockout)."""

    def save(self, commit: bool = True) -> Any:
        user = cast(User, self.user)
        if not commit:  # Django's views always commit; nothing else may set it half-way
            raise ValueError("A new password is set by the service, never left unsaved.")
        return accounts.set_password_after_reset(
            # Whoever opened the link is not signed in: the system acts on the proof the
            # link carries, which Django's view has checked.
            actor=SystemActor("accounts.password_reset"),
            user=user,
            password=self.cleaned_data["new_password1"],
        )


class ChangePasswordForm(PasswordChangeForm):
    """Django's password change (old password, new one twice), stored by
    :func:`~kakehashi.core.services.accounts.change_password`."""

    def save(self, commit: bool = True) -> Any:
        user = cast(User, self.user)
        if not commit:
            raise ValueError("A new password is set by the service, never left unsaved.")
        return accounts.change_password(
            actor=StaffActor(user), user=user, password=self.cleaned_data["new_password1"]
        )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Your language"), required=False, widget=LanguageSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = _language_choices()
        language.help_text = _("For these pages and for the mail we send you.")
