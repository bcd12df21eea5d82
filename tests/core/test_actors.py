"""Who acts: every service refuses those it was not made for, and the audit log names
whoever it accepted, staff, a participant by link, or the system by what it was doing."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from kakehashi.admissions import services as admissions
from kakehashi.admissions import tasks
from kakehashi.admissions.models import Enrollment
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort, Session
from kakehashi.core.actors import Actor, StaffActor, SupporterActor, SystemActor
from kakehashi.core.errors import PermissionDenied
from kakehashi.core.models import AuditEvent, User
from kakehashi.credentials import keys
from kakehashi.credentials import services as credentials
from kakehashi.delivery import services as delivery
from kakehashi.network import services as network_services
from kakehashi.network.models import Center
from kakehashi.payments import services as payments
from kakehashi.payments.models import Account
from tests import factories
from tests.delivery.conftest import DAY, make_session
from tests.factories import SYSTEM, by_link


@dataclass
class Scene:
    """A center with a cohort that has a fee: one person enrolled (owing it), one applying
    to a cohort that admits by review, and a session under way."""

    center: Center
    cohort: Cohort
    enrolled: Enrollment
    applied: Enrollment
    account: Account
    session: Session


@pytest.fixture
def scene(center: Center) -> Scene:
    now = timezone.now()
    cohort = factories.make_cohort(
        center, fee=Decimal(1000), currency="RUB", starts_on=timezone.localdate() - 2 * DAY
    )
    enrolled = admissions.apply(actor=SYSTEM, cohort=cohort, applicant=factories.applicant("in"))
    review = factories.make_cohort(center, admission="review")
    applied = factories.apply(review, "applying", motivation="Because.")
    return Scene(
        center=center,
        cohort=cohort,
        enrolled=enrolled,
        applied=applied,
        account=Account.objects.get(subject=f"admissions.enrollment:{enrolled.pk}"),
        session=make_session(cohort, now - datetime.timedelta(minutes=30)),
    )


STAFF_SERVICES: dict[str, Callable[[Actor, Scene], object]] = {
    "network.add_room": lambda actor, s: network_services.add_room(
        actor=actor, center=s.center, name="Hall"
    ),
    "network.update_center": lambda actor, s: network_services.update_center(
        actor=actor, center=s.center, name={"en": "Renamed"}
    ),
    "catalog.update_cohort": lambda actor, s: catalog.update_cohort(
        actor=actor, cohort=s.cohort, capacity=9
    ),
    "admissions.accept": lambda actor, s: admissions.accept(actor=actor, enrollment=s.applied),
    "admissions.reject": lambda actor, s: admissions.reject(actor=actor, enrollment=s.applied),
    "admissions.waitlist": lambda actor, s: admissions.waitlist(actor=actor, enrollment=s.applied),
    "admissions.complete": lambda actor, s: admissions.complete(actor=actor, enrollment=s.enrolled),
    "admissions.promote_from_waitlist": lambda actor, s: admissions.promote_from_waitlist(
        actor=actor, cohort=s.cohort
    ),
    "admissions.record_past_participant": lambda actor, s: admissions.record_past_participant(
        actor=actor, cohort=s.cohort, applicant=factories.applicant("past")
    ),
    "delivery.mark_all_present": lambda actor, s: delivery.mark_all_present(
        actor=actor, session=s.session
    ),
    "delivery.complete_enrollment": lambda actor, s: delivery.complete_enrollment(
        actor=actor, enrollment=s.enrolled
    ),
    "payments.record_payment": lambda actor, s: payments.record_payment(
        actor=actor, account=s.account, amount="100"
    ),
    "payments.grant_discount": lambda actor, s: payments.grant_discount(
        actor=actor, account=s.account, amount="100", reason="Grant"
    ),
    "payments.set_refund_rule": lambda actor, s: payments.set_refund_rule(
        actor=actor, center=s.center, group="g", rule="full"
    ),
    "credentials.rotate_key": lambda actor, s: keys.rotate_key(
        actor=actor, network=s.center.network
    ),
}


def nobody_with_a_role(kind: str, scene: Scene, outsider: User, viewer: User) -> Actor:
    if kind == "outsider":
        return StaffActor(outsider)
    if kind == "viewer":
        return StaffActor(viewer)
    if kind == "participant":
        return by_link(scene.enrolled)
    return SupporterActor(reference="gift-1")


@pytest.mark.parametrize("service", sorted(STAFF_SERVICES))
@pytest.mark.parametrize("kind", ["outsider", "viewer", "participant", "supporter"])
def test_a_staff_service_refuses_whoever_holds_no_role_for_it(
    scene: Scene, outsider: User, viewer: User, service: str, kind: str
) -> None:
    actor = nobody_with_a_role(kind, scene, outsider, viewer)
    before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        STAFF_SERVICES[service](actor, scene)

    assert AuditEvent.objects.count() == before


def test_issuing_a_certificate_refuses_staff_without_the_role(
    scene: Scene, viewer: User, registrar: User
) -> None:
    with time_machine.travel(scene.cohort.ends_on + 2 * DAY):
        admissions.complete(actor=StaffActor(registrar), enrollment=scene.enrolled)
        for actor in (StaffActor(viewer), by_link(scene.enrolled)):
            with pytest.raises(PermissionDenied):
                credentials.issue_certificate(actor=actor, enrollment=scene.enrolled)


def test_only_the_system_expires_offers(registrar: User) -> None:
    with pytest.raises(PermissionDenied):
        admissions.expire_offers(actor=StaffActor(registrar))


def test_the_offer_sweep_is_named_in_the_audit_log(center: Center) -> None:
    cohort = factories.make_cohort(center, capacity=1)
    seated, waiting = factories.apply(cohort, 1), factories.apply(cohort, 2)
    admissions.withdraw(actor=by_link(seated), enrollment=seated)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert tasks.expire_due_offers.call_local() == 1

    expired = AuditEvent.objects.get(action="admissions.enrollment.expired")
    assert (expired.object_id, expired.actor_label) == (
        str(waiting.pk),
        "system:jobs.expire_offers",
    )
    assert expired.actor is None


def test_the_audit_log_names_the_participant_acting_by_link(center: Center) -> None:
    cohort = factories.make_cohort(center)
    enrollment = factories.apply(cohort, 1)

    admissions.withdraw(actor=by_link(enrollment), enrollment=enrollment)

    event = AuditEvent.objects.get(action="admissions.enrollment.withdrawn")
    assert event.actor_label == f"participant:{enrollment.participant_id} (link)"


def test_the_audit_log_keeps_the_staff_members_account_and_name(
    center: Center, registrar: User
) -> None:
    cohort = factories.make_cohort(center)
    enrollment = factories.apply(cohort, 1)

    admissions.withdraw(actor=StaffActor(registrar), enrollment=enrollment)

    event = AuditEvent.objects.get(action="admissions.enrollment.withdrawn")
    assert (event.actor, event.actor_label) == (registrar, registrar.username)


def test_the_system_is_named_by_what_it_does(center: Center) -> None:
    network_services.add_room(actor=SystemActor("demo"), center=center, name="Hall")

    event = AuditEvent.objects.get(action="network.room.created")
    assert (event.actor, event.actor_label) == (None, "system:demo")
