"""Claiming a provider's event, so that each is applied once however often it arrives."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kakehashi.core import audit
from kakehashi.core.actors import Actor, SystemActor
from kakehashi.core.errors import PermissionDenied
from kakehashi.payments.models import Account, WebhookEvent


def _chain_key(provider: str, account: Account | None) -> str:
    # An event about one of our accounts belongs with that center's other money records;
    # one naming no account of ours has no center, so it goes in the provider's own chain.
    if account is not None:
        return audit.chain_key_for_center(account.center_id)
    return f"webhooks:{provider}"


@transaction.atomic
def claim_webhook_event(
    *,
    actor: Actor,
    provider: str,
    event_id: str,
    event_type: str,
    account: Account | None,
) -> bool:
    """Store the provider's event by its id; False when it was stored before (a repeated
    delivery, which must change nothing).

    Called inside the transaction that applies the event, after locking ``account``, so
    the event is stored together with its effect or not at all.
    """
    if not isinstance(actor, SystemActor):
        raise PermissionDenied(_("Only the provider's webhook records its events."))
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                provider=provider, event_id=event_id, event_type=event_type
            )
    except IntegrityError:  # the unique (provider, event id): delivered before
        return False
    audit.record(
        chain_key=_chain_key(provider, account),
        action="payments.webhook_event.claimed",
        actor=actor,
        target=event,
        data={
            "provider": provider,
            "event_id": event_id,
            "event_type": event_type,
            "account": account.pk if account is not None else None,
        },
    )
    return True
