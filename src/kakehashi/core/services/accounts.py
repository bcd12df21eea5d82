"""Use cases that change a person's account: signing up, confirming the email address,
choosing a language, changing the password or setting one from a reset link, and the
changes the network office makes in the admin.

Usernames: a person who signs up gets their email address, lowercased, as username. The
username is unique in the database, so two sign-ups racing with one address cannot both
succeed, and logging in "by email" needs no second lookup for them. Staff accounts made in
the admin keep whatever username they were given; they log in with it or with their email.

Each change writes an audit event in the account's own chain
(:func:`kakehashi.core.audit.chain_key_for_account`). No event ever holds a password, a
password hash, or a verification link: only which fields changed.

Mail leaves through the outbox (:func:`kakehashi.core.outbox.queue_email`), in the
recipient's language, and only after the transaction that asked for it commits.
"""

import datetime
from collections.abc import Callable, Iterable

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kakehashi.core import audit
from kakehashi.core.actors import Actor, StaffActor, SystemActor
from kakehashi.core.errors import Conflict, InvalidInput, PermissionDenied
from kakehashi.core.locking import lock_row
from kakehashi.core.models import User
from kakehashi.core.outbox import queue_email

# The salt keeps a verification link from being accepted anywhere else something is signed.
VERIFY_EMAIL_SALT = "kakehashi.accounts.verify-email"
VERIFY_EMAIL_MAX_AGE = datetime.timedelta(days=3)
# At most one mail of each kind (verification, password reset) per account in this window,
# so that a form cannot be used to flood somebody's mailbox.
MAIL_INTERVAL_SECONDS = 60


class EmailTaken(Conflict):
    """Another account already uses this email address."""

    code = "email_taken"


class VerificationLinkExpired(InvalidInput):
    code = "link_expired"


class VerificationLinkInvalid(InvalidInput):
    code = "link_invalid"


def _invalid_link_message() -> str:
    return _(
        "This link is not valid: it may have been copied only in part, or it was made "
        "for another address. Log in and ask for a new one on your account page."
    )


def _require_own_account(actor: Actor, user: User) -> None:
    """Only the person themself changes their password or language here."""
    if not (isinstance(actor, StaffActor) and actor.user.pk == user.pk):
        raise PermissionDenied(_("Only the owner of an account can change this."))


def _record(*, action: str, actor: Actor, user: User, data: dict[str, object]) -> None:
    audit.record(
        chain_key=audit.chain_key_for_account(user.pk),
        action=action,
        actor=actor,
        target=user,
        data=data,
    )


def _mail_language(user: User) -> str:
    return user.preferred_language or translation.get_language() or settings.LANGUAGE_CODE


def first_mail_in_a_while(kind: str, user: User) -> bool:
    """True if no mail of this kind went to this account in the last minute (and note it)."""
    return cache.add(f"accounts:{kind}-mail:{user.pk}", True, MAIL_INTERVAL_SECONDS)


def _address_digest(email: str) -> str:
    # The link names the address by a keyed digest, not in clear: signed data is only
    # base64, and links end up in server and proxy logs.
    return salted_hmac(VERIFY_EMAIL_SALT, email.lower()).hexdigest()[:24]


def verification_token(user: User) -> str:
    """The signed token of the link that proves ``user`` receives mail at their address."""
    return signing.dumps([user.pk, _address_digest(user.email)], salt=VERIFY_EMAIL_SALT)


def queue_verification_email(*, user: User, absolute_url: Callable[[str], str]) -> None:
    """Mail ``user`` a signed link that proves they receive mail at their address.

    ``absolute_url`` turns the link's path into an address on this site (the request's
    ``build_absolute_uri``). The mail leaves after the surrounding transaction commits.
    """
    token = verification_token(user)
    context = {
        "user": user,
        "link": absolute_url(reverse("accounts:verify_email", args=[token])),
        "valid_for_days": VERIFY_EMAIL_MAX_AGE.days,
    }
    with translation.override(_mail_language(user)):
        subject = render_to_string("accounts/email/verify_subject.txt", context)
        body = render_to_string("accounts/email/verify_body.txt", context)
    with transaction.atomic():
        queue_email(to=user.email, subject=subject, body=body)


@transaction.atomic
def create_account(
    *,
    actor: Actor,
    full_name: str,
    email: str,
    password: str,
    language: str,
    absolute_url: Callable[[str], str],
) -> User:
    """Create a participant's account, with the email address as username, and mail the
    link that confirms the address (see :func:`queue_verification_email`).

    The whole name goes into ``first_name``: names are not split into given and family
    names, whose order differs between the languages we serve. Raises ``EmailTaken`` when
    another sign-up with the same address got there first.
    """
    if language not in dict(settings.LANGUAGES):
        language = ""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=email,
                email=email,
                password=password,
                first_name=full_name,
                preferred_language=language,
            )
    except IntegrityError as error:  # a sign-up with the same address won the race
        raise EmailTaken(
            _("An account with this email address already exists."), fields={"email": email}
        ) from error
    _record(
        action="core.account.created",
        actor=actor,
        user=user,
        data={"language": language},
    )
    first_mail_in_a_while("verification", user)
    queue_verification_email(user=user, absolute_url=absolute_url)
    return user


@transaction.atomic
def create_staff_account(
    *,
    actor: Actor,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    superuser: bool = False,
) -> User:
    """Create a staff account that may log in to the admin (a superuser with
    ``superuser``). Only the system does this (the demo); people are added in the admin."""
    if not isinstance(actor, SystemActor):
        raise PermissionDenied(_("Only the network office manages accounts."))
    make = User.objects.create_superuser if superuser else User.objects.create_user
    try:
        with transaction.atomic():
            user = make(
                username,
                email,
                password,
                first_name=first_name,
                last_name=last_name,
                is_staff=True,
            )
    except IntegrityError as error:
        raise Conflict(
            _("An account with this username already exists."), fields={"username": username}
        ) from error
    _record(
        action="core.account.created",
        actor=actor,
        user=user,
        data={"staff": True, "superuser": superuser},
    )
    return user


@transaction.atomic
def send_verification_again(
    *, actor: Actor, user: User, absolute_url: Callable[[str], str]
) -> bool:
    """Mail a new verification link, unless one left less than a minute ago (then False)."""
    _require_own_account(actor, user)
    if user.email_verified_at is not None:
        raise Conflict(_("Your email address is already confirmed."))
    if not first_mail_in_a_while("verification", user):
        return False
    queue_verification_email(user=user, absolute_url=absolute_url)
    return True


def verify_email(*, actor: Actor, token: str) -> User:
    """Record that the link's owner receives mail at the address the link was made for.

    Raises ``VerificationLinkExpired`` for an old link and ``VerificationLinkInvalid`` for a
    tampered one or one made for an address the account no longer has. Opening the link a
    second time changes nothing.
    """
    try:
        user_id, digest = signing.loads(token, salt=VERIFY_EMAIL_SALT, max_age=VERIFY_EMAIL_MAX_AGE)
    except signing.SignatureExpired:
        days = VERIFY_EMAIL_MAX_AGE.days
        raise VerificationLinkExpired(
            ngettext(
                "This link has expired: links to confirm an address work for %(days)d day. "
                "Log in and ask for a new one on your account page.",
                "This link has expired: links to confirm an address work for %(days)d days. "
                "Log in and ask for a new one on your account page.",
                days,
            )
            % {"days": days}
        ) from None
    except signing.BadSignature:
        raise VerificationLinkInvalid(_invalid_link_message()) from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or not constant_time_compare(_address_digest(user.email), digest):
            raise VerificationLinkInvalid(_invalid_link_message())
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
            _record(action="core.account.email_verified", actor=actor, user=user, data={})
    return user


@transaction.atomic
def choose_language(*, actor: Actor, user: User, language: str) -> User:
    """Keep ``language`` (or ``""``: the browser's) on the account, for pages and mail."""
    _require_own_account(actor, user)
    if language and language not in dict(settings.LANGUAGES):
        raise InvalidInput(
            _("Kakehashi does not speak this language."), fields={"language": language}
        )
    locked = lock_row(User.objects.all(), pk=user.pk)
    if locked.preferred_language != language:
        previous = locked.preferred_language
        locked.preferred_language = language
        locked.save(update_fields=["preferred_language"])
        _record(
            action="core.account.language_chosen",
            actor=actor,
            user=locked,
            data={"from": previous, "to": language},
        )
    user.preferred_language = language
    return locked


@transaction.atomic
def change_password(*, actor: Actor, user: User, password: str) -> User:
    """Set a new password that the signed-in owner chose (the form checked the old one)."""
    _require_own_account(actor, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _record(action="core.account.password_changed", actor=actor, user=user, data={})
    return user


@transaction.atomic
def set_password_after_reset(*, actor: Actor, user: User, password: str) -> User:
    """Set the password chosen through a reset link (which Django checked).

    The link reached the address, so this also proves the address; and it lifts a log-in
    lockout, which is what the link is for when someone forgot their password.
    """
    verified_now = user.email_verified_at is None
    user.set_password(password)
    fields = ["password"]
    if verified_now:
        user.email_verified_at = timezone.now()
        fields.append("email_verified_at")
    user.save(update_fields=fields)
    _record(
        action="core.account.password_reset",
        actor=actor,
        user=user,
        data={"email_verified": verified_now},
    )
    # Axes keeps its counts in its own tables (or cache); lifting them is part of the reset.
    reset_login_failures(username=user.get_username())
    return user


def _may_manage_accounts(actor: Actor, perm: str) -> bool:
    return isinstance(actor, StaffActor) and actor.user.has_perm(perm)


@transaction.atomic
def save_account_from_admin(
    *,
    actor: Actor,
    user: User,
    created: bool,
    changed: Iterable[str],
    groups: Iterable[Group] | None = None,
    permissions: Iterable[Permission] | None = None,
) -> User:
    """Store the account the network office added or edited in the admin, with its groups
    and permissions when the form had them.

    The admin's form has already put the cleaned values (and a new password's hash) on
    ``user``; this checks who may, saves it and records which fields changed (their names
    only: never a password or its hash).
    """
    perm = "core.add_user" if created else "core.change_user"
    if not _may_manage_accounts(actor, perm):
        raise PermissionDenied(_("Only the network office manages accounts."))
    user.save()
    if groups is not None:
        user.groups.set(groups)
    if permissions is not None:
        user.user_permissions.set(permissions)
    _record(
        action="core.account.added" if created else "core.account.edited",
        actor=actor,
        user=user,
        data={"fields": sorted(set(changed))},
    )
    return user


@transaction.atomic
def set_password_from_admin(*, actor: Actor, user: User, password: str | None) -> User:
    """Set a password for someone's account as the network office, or (``None``) make the
    account one that cannot log in with a password."""
    if not _may_manage_accounts(actor, "core.change_user"):
        raise PermissionDenied(_("Only the network office manages accounts."))
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    _record(
        action="core.account.password_set",
        actor=actor,
        user=user,
        data={"usable": password is not None},
    )
    return user
