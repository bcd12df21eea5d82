"""Invariant 4: every change writes an audit event in its own transaction, and the chain
of hashes gives away any edit or deletion."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kakehashi.admissions import services
from kakehashi.admissions.models import Enrollment
from kakehashi.core import audit
from kakehashi.core.models import AuditChain, AuditEvent
from tests import factories
from tests.factories import SYSTEM, by_link


def broken_links() -> list[str]:
    return [str(link) for _chain, link in audit.verify() if link is not None]


@pytest.fixture
def busy_cohort(center):  # type: ignore[no-untyped-def]
    cohort = factories.make_cohort(center, capacity=2)
    for n in range(4):
        factories.apply(cohort, n)
    return cohort


def center_events(center) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(chain__key=audit.chain_key_for_center(center.pk)))


def test_every_admission_step_is_in_the_audit_log(center):
    cohort = factories.make_cohort(center, capacity=1)
    first = factories.apply(cohort, 1)
    second = factories.apply(cohort, 2)
    services.withdraw(actor=by_link(first), enrollment=first)

    actions = [e.action for e in center_events(center)]
    assert actions[-4:] == [
        "admissions.enrollment.enrolled",
        "admissions.enrollment.waitlisted",
        "admissions.enrollment.withdrawn",
        "admissions.enrollment.promoted",
    ]
    promoted = center_events(center)[-1]
    assert promoted.object_id == str(second.pk)
    assert broken_links() == []


def test_an_intact_log_verifies(busy_cohort):
    assert broken_links() == []
    call_command("audit", "verify")


def test_editing_an_event_breaks_the_chain_at_that_event(busy_cohort, center):
    victim = center_events(center)[3]
    AuditEvent.objects.filter(pk=victim.pk).update(data={"status": "enrolled", "forged": True})

    assert broken_links() == [
        f"chain center:{center.pk}, event #{victim.seq}: content does not match its hash (edited)"
    ]
    with pytest.raises(CommandError, match="1 of"):
        call_command("audit", "verify")


def test_rewriting_an_event_with_a_fresh_hash_breaks_the_next_link(busy_cohort, center):
    events = center_events(center)
    victim = events[2]
    victim.action = "admissions.enrollment.rejected"
    victim.hash = audit._digest(victim, victim.chain.key)
    victim.save()

    assert broken_links() == [
        f"chain center:{center.pk}, event #{victim.seq + 1}: does not follow the event before it"
    ]


def test_deleting_an_event_in_the_middle_is_detected(busy_cohort, center):
    victim = center_events(center)[2]
    victim.delete()

    assert broken_links() == [
        f"chain center:{center.pk}, event #{victim.seq}: missing (an event was deleted)"
    ]


def test_deleting_the_newest_events_is_detected(busy_cohort, center):
    events = center_events(center)
    AuditEvent.objects.filter(pk__in=[e.pk for e in events[-2:]]).delete()

    assert broken_links() == [
        f"chain center:{center.pk}, event #{events[-2].seq}: "
        "missing at the end of the chain (events were deleted)"
    ]


def test_each_center_has_its_own_chain(center, other_center):
    factories.apply(factories.make_cohort(center), 1)
    factories.apply(factories.make_cohort(other_center), 1)

    keys = set(AuditChain.objects.values_list("key", flat=True))
    assert {f"center:{center.pk}", f"center:{other_center.pk}"} <= keys


def test_a_change_whose_audit_event_fails_is_rolled_back(center, monkeypatch):
    cohort = factories.make_cohort(center, capacity=2)
    events_before = AuditEvent.objects.count()

    def failing_record(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", failing_record)
    with pytest.raises(RuntimeError):
        factories.apply(cohort, 1)

    assert Enrollment.objects.filter(cohort=cohort).count() == 0
    assert AuditEvent.objects.count() == events_before


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(center):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record(chain_key="center:0", action="x.y.z", actor=SYSTEM, target=center)
