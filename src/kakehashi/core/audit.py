"""Writing and verifying the audit log.

Every service calls :func:`record` inside its transaction, after the change and with the
domain rows already locked; the chain's head row is locked last, so lock order is always
"domain rows, then chain" and two centers never share a chain.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from kakehashi.core.actors import Actor, acting_user, audit_label
from kakehashi.core.locking import lock_audit_chain
from kakehashi.core.models import AuditChain, AuditEvent

GENESIS = "0" * 64


def chain_key_for_center(center_id: int) -> str:
    return f"center:{center_id}"


def chain_key_for_network(network_id: int) -> str:
    return f"network:{network_id}"


def chain_key_for_account(user_id: int) -> str:
    # An account belongs to no center, so it gets a chain of its own: one per account, so
    # that people signing up or changing their language at once never queue on one
    # chain's head row, and the history of one person's account reads as one chain.
    return f"account:{user_id}"


def _canonical(payload: dict[str, object]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(event: AuditEvent, chain_key: str) -> str:
    created: datetime = event.created_at
    payload = {
        "chain": chain_key,
        "seq": event.seq,
        "prev": event.prev_hash,
        "action": event.action,
        "actor": event.actor_label,
        "object": [event.object_type, str(event.object_id)],
        "data": event.data,
        "at": created.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _plain(data: dict[str, object]) -> dict[str, object]:
    # Through JSON and back, so the hash covers exactly what the database stores.
    result: dict[str, object] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def record(
    *,
    chain_key: str,
    action: str,
    actor: Actor,
    target: models.Model,
    data: dict[str, object] | None = None,
) -> AuditEvent:
    """Append an event to ``chain_key``'s chain. Must run inside the change's transaction.

    The event keeps the account behind the action (if any) and a label that names who
    acted: a staff user's username, ``participant:42 (link)``, ``system:jobs.expire_offers``.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction of the change")
    user = acting_user(actor)
    chain, _created = AuditChain.objects.get_or_create(key=chain_key)
    chain = lock_audit_chain(AuditChain.objects.all(), pk=chain.pk)
    event = AuditEvent(
        chain=chain,
        seq=chain.length + 1,
        action=action,
        actor=user if user is not None and user.pk else None,
        actor_label=audit_label(actor),
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        data=_plain(data or {}),
        created_at=timezone.now(),
        prev_hash=chain.head_hash or GENESIS,
    )
    event.hash = _digest(event, chain.key)
    event.save(force_insert=True)
    AuditChain.objects.filter(pk=chain.pk).update(length=event.seq, head_hash=event.hash)
    return event


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"chain {self.chain}, event #{self.seq}: {self.problem}"


def _verify_chain(chain: AuditChain) -> BrokenLink | None:
    expected_seq = 1
    prev = GENESIS
    for event in chain.events.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return BrokenLink(chain.key, expected_seq, "missing (an event was deleted)")
        if event.prev_hash != prev:
            return BrokenLink(chain.key, event.seq, "does not follow the event before it")
        if _digest(event, chain.key) != event.hash:
            return BrokenLink(chain.key, event.seq, "content does not match its hash (edited)")
        prev = event.hash
        expected_seq += 1
    if chain.length != expected_seq - 1 or (chain.length and chain.head_hash != prev):
        return BrokenLink(
            chain.key, expected_seq, "missing at the end of the chain (events were deleted)"
        )
    return None


def verify() -> Iterator[tuple[AuditChain, BrokenLink | None]]:
    """Check every chain; yield each with its first broken link, or None when intact."""
    for chain in AuditChain.objects.order_by("key"):
        yield chain, _verify_chain(chain)
