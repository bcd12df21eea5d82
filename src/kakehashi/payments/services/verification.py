"""The ledger, checked against the audit log."""

from decimal import Decimal

from kakehashi.payments.models import Entry


def verify_ledger() -> list[str]:
    """Compare every entry with the audit event written beside it.

    The database refuses to change entries, and on PostgreSQL to delete them; this finds
    what only the audit chain can prove, such as a row deleted from SQLite by hand.
    Returns the problems found, empty when the ledger is whole.
    """
    from kakehashi.core.models import AuditEvent

    problems = []
    events = {
        int(event.object_id): event
        for event in AuditEvent.objects.filter(
            object_type="payments.entry", action__startswith="payments.entry."
        )
    }
    entries = {entry.pk: entry for entry in Entry.objects.all()}
    for pk, event in sorted(events.items()):
        entry = entries.get(pk)
        if entry is None:
            problems.append(f"entry {pk} ({event.action}) is missing from the ledger")
        elif (
            event.action != f"payments.entry.{entry.kind}"
            or Decimal(str(event.data.get("amount"))) != entry.amount
            or event.data.get("account") != entry.account_id
        ):
            problems.append(f"entry {pk} does not match its audit event")
    for pk in sorted(set(entries) - set(events)):
        problems.append(f"entry {pk} has no audit event")
    return problems
