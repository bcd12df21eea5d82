"""How long a finished cohort's certificates take, as the background job makes them.

`bench/run.py` calls `bench_certificate_run()` after the demo is loaded. A cohort of
``BENCH_COHORT`` (200) participants is filled and taught through the services, then the
clock is moved past its end and the certificate run is timed once: completing each
participant (rule checked, audited), issuing and signing their credential, and rendering and
storing their PDF. The baseline is one certificate's PDF alone, measured in the same run, so
the ratio says what the run costs beyond the PDFs themselves.
"""

import datetime
import os
import statistics
import time
from collections.abc import Callable
from typing import Protocol

import time_machine
from django.utils import timezone

from kakehashi.admissions import services as admissions
from kakehashi.admissions.services import Applicant
from kakehashi.catalog import services as catalog
from kakehashi.catalog.models import Program
from kakehashi.core.models import User
from kakehashi.credentials import documents, rendering, runs
from kakehashi.credentials.models import Certificate
from kakehashi.delivery import services as delivery
from kakehashi.network.models import Center

COHORT = int(os.environ.get("BENCH_COHORT", "200"))
SESSIONS = 4


class Row(Protocol):
    def __call__(self, name: str, seconds: float, baseline: float, note: str = ...) -> None: ...


def _finished_cohort(center: Center, program: Program, office: User) -> object:
    start = timezone.localdate(timezone=center.tzinfo) + datetime.timedelta(days=10)
    cohort = catalog.create_cohort(
        actor=office,
        program=program,
        center=center,
        code=f"bench-{COHORT}",
        starts_on=start,
        ends_on=start + datetime.timedelta(days=SESSIONS),
        capacity=COHORT,
        currency="RUB",
    )
    for day in range(SESSIONS):
        begins = datetime.datetime.combine(
            start + datetime.timedelta(days=day), datetime.time(10), tzinfo=center.tzinfo
        )
        catalog.schedule_session(
            actor=office,
            cohort=cohort,
            starts_at=begins,
            ends_at=begins + datetime.timedelta(hours=3),
            title=f"Day {day + 1}",
        )
    for n in range(COHORT):
        admissions.apply(
            actor=office,
            cohort=cohort,
            applicant=Applicant(email=f"bench-{n}@example.org", full_name=f"Участник Тестовый {n}"),
        )
    return cohort


def bench_certificate_run(row: Row, office: User, center: Center, program: Program) -> None:
    print(f"\nCertificates for a finished cohort of {COHORT} (baseline: one certificate's PDF)")
    cohort = _finished_cohort(center, program, office)
    after_the_end = timezone.now() + datetime.timedelta(days=30)
    with time_machine.travel(after_the_end, tick=True):
        for session in cohort.sessions.all():  # type: ignore[attr-defined]
            delivery.mark_all_present(actor=office, session=session)
        run = runs.start_certificate_run(actor=office, cohort=cohort)  # type: ignore[arg-type]
        started = time.perf_counter()
        runs.generate_certificates(run)
        whole = time.perf_counter() - started
    certificates = list(Certificate.objects.filter(enrollment__cohort=cohort))
    run.refresh_from_db()
    assert len(certificates) == COHORT, f"{len(certificates)} certificates for {COHORT}: {run}"
    facts = rendering.certificate_facts(certificates[0])
    one: Callable[[], bytes] = lambda: documents.render_certificate_pdf(facts)  # noqa: E731
    one()
    single = statistics.median(_timed(one) for _ in range(5))
    row("one certificate's PDF (baseline)", single, single)
    row(
        f"the run: complete, sign and render {COHORT}",
        whole,
        single,
        f"{whole / COHORT * 1000:.0f} ms per participant",
    )


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
