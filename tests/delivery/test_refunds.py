"""A refund by the cohort's rule, pro rata of the sessions a participant did not attend:
payments asks this app how many there were."""

import datetime
from decimal import Decimal

from django.utils import timezone

from kakehashi.admissions import services as admissions
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.delivery import services
from kakehashi.network.models import Center
from kakehashi.payments import services as payments
from kakehashi.payments.models import Account, Kind, RefundRule
from tests import factories
from tests.delivery.conftest import make_session, running_cohort


def test_pro_rata_refund_returns_the_share_of_sessions_not_attended(
    center: Center, registrar: User
) -> None:
    cohort = running_cohort(center, fee=Decimal(12000), currency="RUB")
    now = timezone.now()
    sessions = [make_session(cohort, now - datetime.timedelta(days=d)) for d in (3, 2, 1)]
    sessions.append(make_session(cohort, now + datetime.timedelta(days=1)))
    enrollment = admissions.apply(
        actor=StaffActor(registrar), cohort=cohort, applicant=factories.applicant(1)
    )
    account = Account.objects.get(subject=f"admissions.enrollment:{enrollment.pk}")
    payment = payments.record_payment(
        actor=StaffActor(registrar), account=account, amount=Decimal(12000)
    )
    # Present once, absent once, one session not marked, one still to come: 1 of 4 attended.
    services.mark_attendance(
        actor=StaffActor(registrar),
        session=sessions[0],
        marks={enrollment.pk: "present"},
    )
    services.mark_attendance(
        actor=StaffActor(registrar),
        session=sessions[1],
        marks={enrollment.pk: "absent"},
    )
    payments.set_refund_rule(
        actor=StaffActor(registrar),
        center=center,
        group=f"catalog.cohort:{cohort.pk}",
        rule=RefundRule.PRO_RATA,
    )

    refund = payments.refund_by_rule(actor=StaffActor(registrar), payment=payment)

    assert refund.kind == Kind.REFUND
    assert abs(refund.amount) == Decimal(9000)
