"""Completing a finished cohort and issuing its certificates as background work: progress
as it goes, one certificate per eligible participant, nothing done twice."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY

from kakehashi.admissions.models import Enrollment, Status
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Cohort
from kakehashi.core.actors import StaffActor, SystemActor
from kakehashi.core.models import AuditEvent, User
from kakehashi.credentials import keys, runs
from kakehashi.credentials.models import Certificate, CertificateRun, RunState
from kakehashi.delivery import services as delivery
from kakehashi.delivery.services import NotEligible
from kakehashi.network.models import Center
from tests.credentials.conftest import cohort_with_people, enroll
from tests.factories import SYSTEM
from tests.support.jobs import wait_for

EXPECTED_AFTER = datetime.timedelta(minutes=10)


def add_attendance_rule(cohort: Cohort) -> Enrollment:
    """One enrolled person who can never complete: the program asks for full attendance at
    a session that was held, and they were absent."""
    delivery.set_completion_rule(
        actor=SYSTEM, program=cohort.program, min_attendance_percent=100, assessment="none"
    )
    start = timezone.now() - datetime.timedelta(days=2)
    session = catalog.schedule_session(
        actor=SYSTEM, cohort=cohort, starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )
    absent = enroll(cohort, "absent")
    delivery.mark_all_present(actor=SYSTEM, session=session)
    delivery.mark_attendance(actor=SYSTEM, session=session, marks={absent.pk: "absent"})
    return absent


@pytest.mark.django_db
def test_the_button_completes_everyone_eligible_and_shows_the_finished_run(
    center: Center, registrar: User, jobs_inline: None, django_capture_on_commit_callbacks: Any
):
    cohort = cohort_with_people(center, 6)
    absent = add_attendance_rule(cohort)
    client = Client()
    client.force_login(registrar)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("office:certificate-run-start", args=[cohort.pk]))
    response = client.get(reverse("office:cohort-certificates", args=[cohort.pk]))

    run = CertificateRun.objects.get()
    assert (run.state, run.total, run.done, run.failed) == (RunState.FINISHED, 6, 6, 0)
    assert "Finished: 6 of 6 issued, 0 not." in response.content.decode()
    completed = Enrollment.objects.filter(cohort=cohort, status=Status.COMPLETED)
    assert completed.count() == 6
    assert Certificate.objects.filter(enrollment__cohort=cohort).count() == 6
    assert not Certificate.objects.filter(pdf__isnull=True).exists()
    absent.refresh_from_db()
    assert absent.status == Status.ENROLLED
    assert AuditEvent.objects.filter(action="credentials.run.finished").count() == 1


@pytest.mark.django_db
def test_running_again_completes_nobody_twice(
    center: Center, registrar: User, jobs_inline: None, django_capture_on_commit_callbacks: Any
):
    cohort = cohort_with_people(center, 3)
    with django_capture_on_commit_callbacks(execute=True):
        first = runs.start_certificate_run(actor=StaffActor(registrar), cohort=cohort)
    numbers = set(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == 3

    again = runs.generate_certificates(first)  # the same run, once more
    with django_capture_on_commit_callbacks(execute=True):
        second = runs.start_certificate_run(actor=StaffActor(registrar), cohort=cohort)

    second.refresh_from_db()
    assert again.done == 3
    assert (second.state, second.total, second.done) == (RunState.FINISHED, 0, 0)
    assert set(Certificate.objects.values_list("number", flat=True)) == numbers


@pytest.mark.django_db
def test_a_second_run_is_refused_while_one_waits(center: Center, registrar: User):
    cohort = cohort_with_people(center, 2)
    waiting = runs.start_certificate_run(
        actor=StaffActor(registrar), cohort=cohort
    )  # no worker here

    with pytest.raises(runs.RunInProgress) as refused:
        runs.start_certificate_run(actor=StaffActor(registrar), cohort=cohort)

    assert refused.value.run == waiting
    assert "already being issued (0 of 2 done)" in refused.value.message


@pytest.mark.django_db
def test_a_missing_key_refuses_the_run_before_anyone_is_touched(center: Center, registrar: User):
    cohort = cohort_with_people(center, 2)
    first = Enrollment.objects.filter(cohort=cohort).first()
    assert first is not None
    delivery.complete_enrollment(actor=StaffActor(registrar), enrollment=first)
    Certificate.objects.get().key.private_key_path.unlink()

    with pytest.raises(keys.SigningKeyMissing):
        runs.start_certificate_run(actor=StaffActor(registrar), cohort=cohort)
    assert not CertificateRun.objects.exists()


@pytest.mark.django_db
def test_who_cannot_be_completed_is_listed_with_the_reason_and_the_rest_go_on(
    center: Center, registrar: User, monkeypatch: pytest.MonkeyPatch
):
    cohort = cohort_with_people(center, 3)
    refused = Enrollment.objects.filter(cohort=cohort).order_by("pk")[1]
    real = delivery.complete_enrollment

    def complete_except_one(*, actor: Any, enrollment: Enrollment) -> Enrollment:
        # Fault injection: between the listing and the completion, this person's records
        # changed (an absence recorded late), so the completion refuses them.
        if enrollment.pk == refused.pk:
            raise NotEligible("Person p1 (generated) cannot complete yet. One more absence.")
        return real(actor=actor, enrollment=enrollment)

    monkeypatch.setattr(runs.delivery, "complete_enrollment", complete_except_one)
    run = runs.start_certificate_run(actor=StaffActor(registrar), cohort=cohort)

    finished = runs.generate_certificates(run)

    assert (finished.state, finished.done, finished.failed) == (RunState.FINISHED, 2, 1)
    assert finished.failures == [
        {
            "name": "Person p1 (generated)",
            "message": "Person p1 (generated) cannot complete yet. One more absence.",
        }
    ]
    assert Certificate.objects.count() == 2


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_picked_up_where_it_stopped(center: Center, registrar: User):
    cohort = cohort_with_people(center, 4)
    run = runs.start_certificate_run(actor=StaffActor(registrar), cohort=cohort)
    # The worker completed two people, then died.
    for enrollment in Enrollment.objects.filter(cohort=cohort).order_by("pk")[:2]:
        delivery.complete_enrollment(actor=StaffActor(registrar), enrollment=enrollment)
    stalled_at = timezone.now() - EXPECTED_AFTER
    CertificateRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, done=2, started_at=stalled_at, heartbeat_at=stalled_at
    )
    assert runs.stalled_runs() == [run]

    finished = runs.generate_certificates(run)

    assert (finished.state, finished.total, finished.done) == (RunState.FINISHED, 6, 6)
    assert Certificate.objects.count() == 4
    assert runs.stalled_runs() == []
    assert claims_of(run) == ["credentials.run.resumed"]


def claims_of(run: CertificateRun) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="credentials.certificaterun",
            object_id=str(run.pk),
            action__in=["credentials.run.claimed", "credentials.run.resumed"],
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_only_one_worker_claims_a_run_and_the_claim_is_audited(center: Center, registrar: User):
    run = runs.start_certificate_run(
        actor=StaffActor(registrar), cohort=cohort_with_people(center, 1)
    )
    now = timezone.now()
    worker = SystemActor("credentials.run_certificates")

    claims = [runs.claim_certificate_run(actor=worker, run=run, now=now) for _worker in range(2)]

    assert claims == [True, False]
    assert claims_of(run) == ["credentials.run.claimed"]


@pytest.mark.django_db
def test_a_run_another_worker_holds_is_left_alone(center: Center, registrar: User):
    cohort = cohort_with_people(center, 2)
    run = runs.start_certificate_run(actor=StaffActor(registrar), cohort=cohort)
    CertificateRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, heartbeat_at=timezone.now()
    )

    untouched = runs.generate_certificates(run)

    assert untouched.state == RunState.RUNNING and untouched.done == 0
    assert not Certificate.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_issues_a_cohorts_certificates_and_the_page_shows_progress(
    center: Center, registrar: User, consumer: Consumer
):
    people = 25
    cohort = cohort_with_people(center, people)
    client = Client()
    client.force_login(registrar)
    client.post(reverse("office:certificate-run-start", args=[cohort.pk]))
    run = CertificateRun.objects.get()
    progress_url = reverse("office:certificate-run", args=[run.pk])
    seen: list[str] = []

    def finished() -> bool:
        page = client.get(progress_url, headers={"HX-Request": "true"}).content.decode()
        seen.append(page)
        return "Finished:" in page

    assert wait_for(finished), "the worker did not finish the run"
    assert any(
        f"In progress: {n} of {people} done." in page for page in seen for n in range(1, people)
    )
    final = seen[-1]
    assert f"Finished: {people} of {people} issued, 0 not." in final
    # Once done, the certificates list comes along with it.
    assert 'id="certificates" aria-labelledby="certificates-title" hx-swap-oob="true"' in final
    assert f"Certificates ({people})" in final
    assert Certificate.objects.filter(enrollment__cohort=cohort).count() == people
    assert not Certificate.objects.filter(pdf__isnull=True).exists()


def test_the_sweep_for_stalled_runs_is_periodic() -> None:
    from kakehashi.credentials import tasks

    periodic = {type(task) for task in HUEY._registry.periodic_tasks}
    assert tasks.resume_stalled_runs.task_class in periodic


def test_a_run_queues_no_second_job_for_the_pdfs_it_renders_itself(
    center: Center, registrar: User, django_capture_on_commit_callbacks: Any
):
    cohort = cohort_with_people(center, 2)
    HUEY.flush()
    run = CertificateRun.objects.create(cohort=cohort, requested_by=registrar)
    with django_capture_on_commit_callbacks(execute=True):
        runs.generate_certificates(run)

    assert Certificate.objects.filter(enrollment__cohort=cohort, pdf__isnull=False).count() == 2
    # A completion outside a run queues its PDF for a worker; inside one it would be made twice.
    assert HUEY.pending_count() == 0
