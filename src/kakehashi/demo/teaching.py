"""What the demo's teaching looks like: completion rules, the running cohort's attendance and
results, a revoked certificate, and fees partly paid — all through the services, as staff
would have done it."""

import random
from decimal import Decimal

from django.utils import timezone

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog.models import Cohort, Program
from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.credentials import services as credentials
from kakehashi.credentials.models import Certificate
from kakehashi.delivery import services as delivery
from kakehashi.delivery.models import Assessment, Mark
from kakehashi.payments import services as payments
from kakehashi.payments.models import Account

# Programs whose completion asks more than the default (80 % of sessions attended).
COMPLETION_RULES: dict[str, dict[str, object]] = {
    "general-management": {
        "min_attendance_percent": 80,
        "assessment": Assessment.SCORE,
        "pass_mark": Decimal(60),
        "max_score": Decimal(100),
    },
    "japanese-language": {
        "min_attendance_percent": 75,
        "assessment": Assessment.SCORE,
        "pass_mark": Decimal(60),
        "max_score": Decimal(100),
    },
    "training-in-japan": {"min_attendance_percent": 90, "assessment": Assessment.PASS_FAIL},
}

REVOCATION_REASON = (
    "Issued in error: the final test was recorded for another participant of the same name."
)


def set_completion_rules(office: User, programs: dict[str, Program]) -> None:
    for slug, rule in COMPLETION_RULES.items():
        delivery.set_completion_rule(actor=StaffActor(office), program=programs[slug], **rule)  # type: ignore[arg-type]


def _mark_for(rng: random.Random, position: int) -> str:
    """The first participant rarely comes (the registrar sees them at risk), the second is
    often late; the others mostly come."""
    if position == 0:
        return rng.choice((Mark.ABSENT, Mark.ABSENT, Mark.PRESENT))
    if position == 1:
        return rng.choice((Mark.LATE, Mark.PRESENT))
    return rng.choices((Mark.PRESENT, Mark.LATE, Mark.EXCUSED, Mark.ABSENT), (88, 5, 4, 3))[0]


def take_attendance(rng: random.Random, registrar: User, cohort: Cohort) -> None:
    """Marks for every session of ``cohort`` that has ended, as its registrar recorded them."""
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort, status=Status.ENROLLED).order_by("pk")
    )
    now = timezone.now()
    for session in cohort.sessions.filter(ends_at__lte=now).order_by("starts_at"):
        marks = {
            enrollment.pk: _mark_for(rng, position)
            for position, enrollment in enumerate(enrollments)
        }
        delivery.mark_attendance(actor=StaffActor(registrar), session=session, marks=marks)


def revoke_one(registrar: User, cohort: Cohort) -> None:
    """A certificate issued in error, revoked: the verify page shows what that looks like."""
    certificate = Certificate.objects.filter(enrollment__cohort=cohort).order_by("pk").first()
    if certificate is not None:
        credentials.revoke_certificate(
            actor=StaffActor(registrar), certificate=certificate, reason=REVOCATION_REASON
        )


def settle_fees(rng: random.Random, registrar: User, cohort: Cohort) -> None:
    """Of a paid cohort's participants, most have paid by bank transfer, one has a
    scholarship for half the fee, and the rest still owe."""
    accounts = list(Account.objects.filter(group=f"catalog.cohort:{cohort.pk}").order_by("pk"))
    for position, account in enumerate(accounts):
        if position == 0:
            payments.grant_discount(
                actor=StaffActor(registrar),
                account=account,
                amount=(cohort.fee / 2).quantize(Decimal(1)),
                reason="Scholarship of the regional administration",
            )
        elif rng.random() < 0.6:
            payments.record_payment(
                actor=StaffActor(registrar),
                account=account,
                amount=cohort.fee,
                method="bank_transfer",
                external_reference=f"PP-{rng.randint(10000, 99999)}",
            )
