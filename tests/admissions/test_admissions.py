import datetime

import pytest
import time_machine
from django.utils import timezone

from kakehashi.admissions import services
from kakehashi.admissions.models import Enrollment, Participant, Status
from kakehashi.catalog import services as catalog
from kakehashi.core.actors import StaffActor, SupporterActor
from kakehashi.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from kakehashi.core.models import AuditEvent
from tests import factories
from tests.factories import SYSTEM, by_link


def statuses(*enrollments: Enrollment) -> list[str]:
    for e in enrollments:
        e.refresh_from_db()
    return [e.status for e in enrollments]


def test_first_come_cohort_enrolls_until_full_then_waitlists_in_order(center):
    cohort = factories.make_cohort(center, capacity=2)
    people = [factories.apply(cohort, n) for n in range(4)]

    assert statuses(*people) == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(e) for e in people] == [None, None, 1, 2]


def test_withdrawal_promotes_longest_waiting(center):
    cohort = factories.make_cohort(center, capacity=1)
    seated, first_waiting, second_waiting = (factories.apply(cohort, n) for n in range(3))

    services.withdraw(actor=by_link(seated), enrollment=seated)

    assert statuses(seated, first_waiting, second_waiting) == ["withdrawn", "offered", "waitlisted"]
    assert services.waitlist_position(second_waiting) == 1
    assert first_waiting.offer_expires_at is not None


def test_review_cohort_takes_applications_then_staff_decide(center, registrar):
    cohort = factories.make_cohort(center, capacity=1, admission="review")
    alice = factories.apply(cohort, "alice", motivation="We export to Japan.")
    bob = factories.apply(cohort, "bob", motivation="Kaizen in our plant.")
    carol = factories.apply(cohort, "carol", motivation="Small business.")
    assert statuses(alice, bob, carol) == ["applied"] * 3

    services.accept(actor=StaffActor(registrar), enrollment=alice)
    with pytest.raises(services.CohortFull, match="waiting list"):
        services.accept(actor=StaffActor(registrar), enrollment=bob)
    services.waitlist(actor=StaffActor(registrar), enrollment=bob)
    services.reject(
        actor=StaffActor(registrar), enrollment=carol, reason="Outside the program's audience"
    )
    assert statuses(alice, bob, carol) == ["offered", "waitlisted", "rejected"]

    services.decline(actor=by_link(alice), enrollment=alice)
    assert statuses(alice, bob) == ["declined", "offered"]
    services.confirm(actor=by_link(bob), enrollment=bob)
    assert statuses(bob) == ["enrolled"]


def test_review_cohort_needs_a_motivation_from_applicants(center):
    cohort = factories.make_cohort(center, admission="review")
    with pytest.raises(InvalidInput) as error:
        factories.apply(cohort, 1)
    assert "motivation" in error.value.fields
    assert not Enrollment.objects.filter(cohort=cohort).exists()


def test_an_offer_expires_on_time_and_the_seat_passes_on(center):
    cohort = factories.make_cohort(center, capacity=1, offer_hours=48)
    seated, waiting, next_waiting = (factories.apply(cohort, n) for n in range(3))
    services.withdraw(actor=by_link(seated), enrollment=seated)
    assert statuses(waiting) == ["offered"]

    assert (
        services.expire_offers(actor=SYSTEM, now=timezone.now() + datetime.timedelta(hours=47)) == 0
    )
    assert (
        services.expire_offers(actor=SYSTEM, now=timezone.now() + datetime.timedelta(hours=49)) == 1
    )

    assert statuses(waiting, next_waiting) == ["expired", "offered"]


def test_confirming_after_expiry_is_refused_and_the_seat_still_passes_on(center):
    cohort = factories.make_cohort(center, capacity=1, offer_hours=24)
    seated, waiting, next_waiting = (factories.apply(cohort, n) for n in range(3))
    services.withdraw(actor=by_link(seated), enrollment=seated)

    later = timezone.now() + datetime.timedelta(hours=25)
    with time_machine.travel(later), pytest.raises(services.OfferExpired, match="expired"):
        services.confirm(actor=by_link(waiting), enrollment=waiting)

    # The refusal did not roll back the expiry: the next person holds the seat.
    assert statuses(waiting, next_waiting) == ["expired", "offered"]


def test_one_live_enrollment_per_person_and_cohort(center):
    cohort = factories.make_cohort(center)
    first = factories.apply(cohort, "same")
    with pytest.raises(services.AlreadyApplied, match="already has an application"):
        factories.apply(cohort, "same")
    services.withdraw(actor=by_link(first), enrollment=first)
    again = factories.apply(cohort, "same")  # after withdrawing, one may apply again
    assert again.status == "enrolled"


def test_the_same_email_in_another_case_is_the_same_person(center):
    cohort = factories.make_cohort(center)
    services.apply(
        actor=SYSTEM,
        cohort=cohort,
        applicant=services.Applicant(email="Ivan@Example.org", full_name="Ivan Petrov"),
    )
    with pytest.raises(services.AlreadyApplied):
        services.apply(
            actor=SYSTEM,
            cohort=cohort,
            applicant=services.Applicant(email="ivan@example.ORG", full_name="Ivan Petrov"),
        )
    assert Participant.objects.count() == 1


def test_applying_does_not_overwrite_what_a_person_told_us(center):
    cohort, other = factories.make_cohort(center), factories.make_cohort(center)
    services.apply(
        actor=SYSTEM,
        cohort=cohort,
        applicant=services.Applicant(email="a@example.org", full_name="Anna", company="Real LLC"),
    )
    services.apply(
        actor=SYSTEM,
        cohort=other,
        applicant=services.Applicant(email="a@example.org", full_name="X", company="Fake LLC"),
    )
    assert Participant.objects.get().company == "Real LLC"


@pytest.mark.parametrize(
    ("email", "full_name", "field"),
    [
        ("not-an-email", "Ivan", "email"),
        ("", "Ivan", "email"),
        ("i@example.org", "  ", "full_name"),
    ],
)
def test_bad_applicant_details_are_named_and_change_nothing(center, email, full_name, field):
    cohort = factories.make_cohort(center)
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.apply(
            actor=SYSTEM,
            cohort=cohort,
            applicant=services.Applicant(email=email, full_name=full_name),
        )
    assert field in error.value.fields
    assert not Enrollment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_applications_outside_the_window_are_refused_but_staff_may_add(center, registrar):
    now = timezone.now()
    cohort = factories.make_cohort(
        center,
        applications_open_at=now - datetime.timedelta(days=10),
        applications_close_at=now - datetime.timedelta(days=1),
    )
    with pytest.raises(services.ApplicationsClosed, match="closed"):
        factories.apply(cohort, 1)
    added = services.apply(
        actor=StaffActor(registrar), cohort=cohort, applicant=factories.applicant(1)
    )
    assert added.status == "enrolled"


def test_only_the_participant_or_registrars_change_an_enrollment(
    center, other_registrar, registrar, viewer
):
    cohort = factories.make_cohort(center)
    enrollment = factories.apply(cohort, 1)
    neighbour = factories.apply(cohort, 2)
    strangers = (
        StaffActor(other_registrar),
        StaffActor(viewer),
        by_link(neighbour),
        SupporterActor(reference="gift-1"),
    )
    for stranger in strangers:
        with pytest.raises(PermissionDenied):
            services.withdraw(actor=stranger, enrollment=enrollment)
    services.withdraw(actor=StaffActor(registrar), enrollment=enrollment)
    assert statuses(enrollment, neighbour) == ["withdrawn", "enrolled"]


def test_a_participants_link_cannot_touch_another_participants_enrollment(center):
    cohort = factories.make_cohort(center, admission="review", capacity=2)
    mine = factories.apply(cohort, "mine", motivation="Because.")
    theirs = factories.apply(cohort, "theirs", motivation="Because.")
    for enrollment in (mine, theirs):
        services.accept(actor=SYSTEM, enrollment=enrollment)

    for change in (services.confirm, services.decline, services.withdraw):
        with pytest.raises(PermissionDenied, match="Only the participant"):
            change(actor=by_link(mine), enrollment=theirs)
    services.confirm(actor=by_link(mine), enrollment=mine)

    assert statuses(mine, theirs) == ["enrolled", "offered"]
    event = AuditEvent.objects.filter(action="admissions.enrollment.enrolled").get()
    assert event.actor_label == f"participant:{mine.participant_id} (link)"
    assert event.actor is None


def test_reviewing_needs_the_review_role_at_that_center(center, other_registrar, viewer):
    cohort = factories.make_cohort(center, admission="review")
    enrollment = factories.apply(cohort, 1, motivation="Because.")
    for stranger in (other_registrar, viewer):
        with pytest.raises(PermissionDenied):
            services.accept(actor=StaffActor(stranger), enrollment=enrollment)
    assert statuses(enrollment) == ["applied"]


def test_finished_enrollments_cannot_be_moved_again(center):
    cohort = factories.make_cohort(center)
    enrollment = factories.apply(cohort, 1)
    services.withdraw(actor=by_link(enrollment), enrollment=enrollment)
    with pytest.raises(InvalidTransition, match="withdrawn"):
        services.withdraw(actor=by_link(enrollment), enrollment=enrollment)
    with pytest.raises(InvalidTransition):
        services.confirm(actor=by_link(enrollment), enrollment=enrollment)


def test_raising_capacity_offers_the_new_seats_to_the_waiting_list(center):
    cohort = factories.make_cohort(center, capacity=1)
    people = [factories.apply(cohort, n) for n in range(4)]
    catalog.update_cohort(actor=SYSTEM, cohort=cohort, capacity=3)
    assert statuses(*people) == ["enrolled", "offered", "offered", "waitlisted"]


def test_capacity_cannot_drop_below_the_seats_held(center):
    cohort = factories.make_cohort(center, capacity=3)
    for n in range(3):
        factories.apply(cohort, n)
    with pytest.raises(InvalidInput, match="3 seats are already held"):
        catalog.update_cohort(actor=SYSTEM, cohort=cohort, capacity=2)
    cohort.refresh_from_db()
    assert cohort.capacity == 3


def test_an_enrolled_participant_completes_once_the_cohort_has_begun(center, registrar):
    cohort = factories.make_cohort(center)
    enrollment = factories.apply(cohort, 1)
    with pytest.raises(InvalidTransition, match="not started"):
        services.complete(actor=StaffActor(registrar), enrollment=enrollment)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=35)):
        services.complete(actor=StaffActor(registrar), enrollment=enrollment)
    assert statuses(enrollment) == [Status.COMPLETED]


def test_the_history_of_an_ended_cohort_is_recorded_by_registrars(center, registrar, viewer):
    long_ago = datetime.date(2019, 3, 1)
    cohort = factories.make_cohort(
        center, capacity=1, starts_on=long_ago, ends_on=long_ago + datetime.timedelta(days=5)
    )
    with pytest.raises(services.ApplicationsClosed):
        factories.apply(cohort, 1)
    with pytest.raises(PermissionDenied):
        services.record_past_participant(
            actor=StaffActor(viewer), cohort=cohort, applicant=factories.applicant(1)
        )

    done = services.record_past_participant(
        actor=StaffActor(registrar), cohort=cohort, applicant=factories.applicant(1)
    )
    left = services.record_past_participant(
        actor=StaffActor(registrar),
        cohort=cohort,
        applicant=factories.applicant(2),
        outcome="withdrawn",
    )
    with pytest.raises(services.CohortFull):
        services.record_past_participant(
            actor=StaffActor(registrar), cohort=cohort, applicant=factories.applicant(3)
        )
    assert statuses(done, left) == ["completed", "withdrawn"]
    assert AuditEvent.objects.filter(action="admissions.enrollment.recorded").count() == 2


def test_recording_history_is_refused_for_a_cohort_still_running(center, registrar):
    cohort = factories.make_cohort(center)
    with pytest.raises(InvalidTransition, match="not ended"):
        services.record_past_participant(
            actor=StaffActor(registrar), cohort=cohort, applicant=factories.applicant(1)
        )


def test_an_application_joins_an_account_only_once_the_account_proved_the_address(center):
    cohort, other = factories.make_cohort(center), factories.make_cohort(center)
    claimant = factories.make_user("claimant")
    claimant.email = "victim@example.org"
    claimant.save(update_fields=["email"])
    victim = services.Applicant(email="victim@example.org", full_name="Victim")

    services.apply(actor=StaffActor(claimant), cohort=cohort, applicant=victim)
    assert Participant.objects.get().user is None

    claimant.email_verified_at = timezone.now()
    claimant.save(update_fields=["email_verified_at"])
    services.apply(actor=StaffActor(claimant), cohort=other, applicant=victim)
    assert Participant.objects.get().user == claimant


def test_a_duplicate_application_tells_the_public_nothing_about_its_status(center, registrar):
    cohort = factories.make_cohort(center)
    factories.apply(cohort, "known")
    with pytest.raises(services.AlreadyApplied) as public:
        factories.apply(cohort, "known")
    assert "enrolled" not in public.value.message
    with pytest.raises(services.AlreadyApplied) as staff:
        services.apply(
            actor=StaffActor(registrar), cohort=cohort, applicant=factories.applicant("known")
        )
    assert "enrolled" in staff.value.message


def test_the_person_offered_a_seat_is_told_in_the_language_they_applied_in(center):
    from django.utils import translation

    from kakehashi.core.models import OutgoingEmail

    cohort = factories.make_cohort(center, capacity=1)
    seated = factories.apply(cohort, 1)
    with translation.override("ru"):
        waiting = factories.apply(cohort, 2)
    services.withdraw(actor=by_link(seated), enrollment=seated)

    _application, mail = OutgoingEmail.objects.filter(to=waiting.participant.email).order_by("pk")
    assert "/me/" in mail.body
    assert any("а" <= ch <= "я" for ch in mail.subject.lower()), mail.subject


def test_the_offer_mail_gives_the_deadline_in_the_centers_time(other_center):
    from django.utils import formats
    from django.utils import timezone as tz

    from kakehashi.core.models import OutgoingEmail

    cohort = factories.make_cohort(other_center, capacity=1)  # Vladivostok, UTC+10
    seated, waiting = factories.apply(cohort, 1), factories.apply(cohort, 2)
    services.withdraw(actor=by_link(seated), enrollment=seated)
    waiting.refresh_from_db()

    _application, mail = OutgoingEmail.objects.filter(to=waiting.participant.email).order_by("pk")
    local = tz.localtime(waiting.offer_expires_at, other_center.tzinfo)
    assert formats.date_format(local, "DATETIME_FORMAT") in mail.body
