"""The admin lists attendance and results of one's own centers, and changes nothing."""

from django.urls import reverse

from kakehashi.core.actors import StaffActor
from kakehashi.core.models import User
from kakehashi.delivery import services
from kakehashi.delivery.models import Assessment
from tests.delivery.conftest import Course, as_user, set_rule


def staff(user: User) -> User:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_registrars_read_their_centers_marks_and_results_and_change_nothing(
    course: Course, registrar: User, other_registrar: User
) -> None:
    set_rule(course.cohort.program, assessment=Assessment.PASS_FAIL)
    anna = course.people[0]
    [mark] = services.mark_attendance(
        actor=StaffActor(registrar), session=course.now_on, marks={anna.pk: "late"}
    )
    result = services.record_result(actor=StaffActor(registrar), enrollment=anna, passed=True)
    mine, theirs = as_user(staff(registrar)), as_user(staff(other_registrar))

    for model, record in (("attendance", mark), ("assessmentresult", result)):
        listing = reverse(f"admin:delivery_{model}_changelist")
        page = reverse(f"admin:delivery_{model}_change", args=[record.pk])
        assert "Person anna (generated)" in mine.get(listing).content.decode()
        assert mine.get(page).status_code == 200
        assert mine.get(reverse(f"admin:delivery_{model}_add")).status_code == 403
        assert mine.post(page, {}).status_code == 403
        assert "Person anna" not in theirs.get(listing).content.decode()
        assert theirs.get(page).status_code == 404
    mark.refresh_from_db()
    assert mark.status == "late"
