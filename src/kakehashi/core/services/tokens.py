"""Use cases for the REST API's bearer tokens: issuing, revoking, and knowing one.

Only a digest of a token is stored and the token itself is shown once; neither goes into
the audit log, which names a token by its database id and its first characters.
"""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.actors import Actor, StaffActor, SystemActor
from kakehashi.core.errors import Conflict, InvalidInput, PermissionDenied
from kakehashi.core.locking import lock_row
from kakehashi.core.models import ApiToken, User

# Recording every use would make each read a write; once every few minutes is enough to
# tell which tokens are still used.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


class TokenRevoked(Conflict):
    code = "token_revoked"


def _record(*, action: str, actor: Actor, token: ApiToken) -> None:
    audit.record(
        chain_key=audit.chain_key_for_account(token.user_id),
        action=action,
        actor=actor,
        target=token,
        data={"user": token.user_id, "name": token.name, "hint": token.hint},
    )


@transaction.atomic
def issue_api_token(*, actor: Actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a new bearer token for ``user``; return it with the token itself (shown once).

    The system issues tokens (the ``token create`` command, run by whoever operates the
    server); a signed-in person may issue one for their own account.
    """
    if isinstance(actor, StaffActor) and actor.user.pk != user.pk and not actor.user.is_superuser:
        raise PermissionDenied(_("Only the network office issues tokens for someone else."))
    if not isinstance(actor, StaffActor | SystemActor):
        raise PermissionDenied(_("Only staff or the system issue API tokens."))
    if not user.is_active:
        raise Conflict(
            _("User %(username)s is inactive; activate them first.")
            % {"username": user.get_username()}
        )
    name = name.strip()
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(
            _("A token's name has at most %(count)d characters.") % {"count": NAME_MAX_LENGTH},
            fields={"name": _("Too long.")},
        )
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=name, digest=ApiToken.digest_of(raw), hint=raw[:10]
            )
    except IntegrityError:  # two equal 256-bit random tokens: never, but say so if it does
        raise Conflict(_("The new token collided with another; issue it again.")) from None
    _record(action="core.api_token.issued", actor=actor, token=token)
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Stop ``token`` from working, from now on. Its owner or the network office may."""
    if not isinstance(actor, StaffActor | SystemActor) or (
        isinstance(actor, StaffActor)
        and actor.user.pk != token.user_id
        and not actor.user.is_superuser
    ):
        raise PermissionDenied(_("Only the token's owner or the network office revokes it."))
    locked = lock_row(ApiToken.objects.all(), pk=token.pk)
    if locked.revoked_at is not None:
        raise TokenRevoked(_("This token was already revoked."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    _record(action="core.api_token.revoked", actor=actor, token=locked)
    return locked


def user_for_token(raw: str) -> User | None:
    """The active user an active bearer token belongs to, or None.

    Notes when the token was last used, at most every few minutes. That stamp is no change
    of state anyone acts on (nothing is granted or taken by it), so it writes no audit
    event: an event per request would bury the account's real history.
    """
    if not raw.startswith(ApiToken.PREFIX):
        return None
    found = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=ApiToken.digest_of(raw))
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
