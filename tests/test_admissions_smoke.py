from kakehashi.admissions import services
from kakehashi.admissions.models import Status
from tests import factories


def test_first_come_cohort_enrolls_until_full_then_waitlists(center):
    cohort = factories.make_cohort(center, capacity=2)
    first, second, third = (factories.apply(cohort, n) for n in range(3))
    assert [first.status, second.status, third.status] == [
        Status.ENROLLED,
        Status.ENROLLED,
        Status.WAITLISTED,
    ]
    assert services.waitlist_position(third) == 1
    services.withdraw(actor=None, enrollment=first, as_participant=True)
    third.refresh_from_db()
    assert third.status == Status.OFFERED
