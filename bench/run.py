"""`make bench`: how fast the main paths are, as ratios against a baseline in the same run.

Run on a fresh copy of the demo network in a temporary folder (SQLite by default, or the
database in DATABASE_URL). Absolute times depend on the machine; the ratios are what to
compare between runs.
"""

import os
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kakehashi.settings")
os.environ.setdefault("KAKEHASHI_VAR_DIR", tempfile.mkdtemp(prefix="kakehashi-bench-"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from kakehashi.admissions import services as admissions  # noqa: E402
from kakehashi.admissions.models import Enrollment, Participant  # noqa: E402
from kakehashi.catalog import services as catalog  # noqa: E402
from kakehashi.catalog.models import Cohort, Program  # noqa: E402
from kakehashi.core.models import ApiToken, User  # noqa: E402
from kakehashi.network.models import Center  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from certificates import bench_certificate_run  # noqa: E402
from documents import bench_documents  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))


def timed(work: Callable[[], object], rounds: int = ROUNDS) -> float:
    """Median seconds of ``work`` over ``rounds`` runs, after one warm-up run."""
    work()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_memory(work: Callable[[], object]) -> int:
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def row(name: str, seconds: float, baseline: float, note: str = "") -> None:
    print(f"  {name:<46} {seconds * 1000:9.2f} ms  {seconds / baseline:7.1f}×  {note}")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"Kakehashi benchmarks on {connection.vendor}, median of {ROUNDS} rounds")

    office = User.objects.get(username="office")
    _token, raw = ApiToken.issue(user=office)
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    web = Client()

    # --- pages and API lists, against the smallest page there is ------------------------
    home = timed(lambda: web.get("/accounts/login/"))
    print("\nAPI (baseline: the login page, a form and no query)")
    row("GET /accounts/login/ (baseline)", home, home)
    cohorts = Cohort.objects.count()
    row(
        "GET /api/v1/cohorts?limit=100",
        timed(lambda: api.get("/api/v1/cohorts", {"limit": 100})),
        home,
        f"{min(cohorts, 100)} cohorts",
    )
    row("GET /api/v1/centers", timed(lambda: api.get("/api/v1/centers")), home)
    biggest = max(Cohort.objects.all(), key=lambda c: c.enrollments.count())
    row(
        "GET /api/v1/cohorts/{id}/enrollments",
        timed(lambda: api.get(f"/api/v1/cohorts/{biggest.pk}/enrollments")),
        home,
        f"{biggest.enrollments.count()} enrollments",
    )
    office_client = _admin_client(office)
    row(
        "GET /admin/catalog/cohort/ (office)",
        timed(lambda: office_client.get("/admin/catalog/cohort/")),
        home,
    )

    # The pages people use, with the demo's largest data: the catalog, the largest program,
    # the office overview and the fullest roster. Each should answer well under 100 ms.
    print("\nPages (baseline: the login page, a form and no query)")
    baseline_page = home
    row("GET /accounts/login/ (baseline)", home, home)
    row("GET / (the catalog)", timed(lambda: web.get("/")), baseline_page)
    largest = max(Program.objects.all(), key=lambda p: p.cohorts.count())
    program_path = f"/programs/{largest.network.slug}/{largest.slug}/"
    row(f"GET {program_path}", timed(lambda: web.get(program_path)), baseline_page)
    row(
        "GET /office/ (network office)", timed(lambda: office_client.get("/office/")), baseline_page
    )
    roster = f"/office/cohorts/{biggest.pk}/"
    row(
        "GET /office/cohorts/{id}/ (fullest roster)",
        timed(lambda: office_client.get(roster)),
        baseline_page,
        f"{biggest.enrollments.count()} enrollments",
    )

    # --- the admission decision, against writing the same row without any rules ---------
    program = Program.objects.first()
    center = Center.objects.get(slug="moscow")
    assert program is not None
    counter = iter(range(1_000_000))

    def fresh_cohort(capacity: int) -> Cohort:
        import datetime

        from django.utils import timezone

        start = timezone.localdate() + datetime.timedelta(days=60)
        return catalog.create_cohort(
            actor=None,
            program=program,
            center=center,
            starts_on=start,
            ends_on=start,
            capacity=capacity,
            code=f"bench-{next(counter)}",
        )

    cohort = fresh_cohort(capacity=10_000)
    participant = Participant.objects.create(
        network=center.network, email="bench@example.org", full_name="Bench"
    )

    def plain_insert() -> None:
        with transaction.atomic():
            Enrollment.objects.create(cohort=cohort, participant=participant, status="withdrawn")

    def apply_once() -> None:
        n = next(counter)
        admissions.apply(
            actor=None,
            cohort=cohort,
            applicant=admissions.Applicant(email=f"p{n}@example.org", full_name=f"P {n}"),
        )

    baseline = timed(plain_insert, rounds=ROUNDS * 5)
    print("\nAdmissions (baseline: inserting an enrollment row with no rules)")
    row("insert a row (baseline)", baseline, baseline)
    row("apply(): lock, count, decide, audit", timed(apply_once, rounds=ROUNDS * 5), baseline)

    # Concurrent applications to one cohort: the lock serialises them; this shows the cost.
    def burst(threads: int) -> Callable[[], None]:
        def run() -> None:
            target = fresh_cohort(capacity=max(1, threads // 2))
            barrier = threading.Barrier(threads)

            def one() -> None:
                close_old_connections()
                try:
                    barrier.wait()
                    n = next(counter)
                    admissions.apply(
                        actor=None,
                        cohort=target,
                        applicant=admissions.Applicant(email=f"c{n}@example.org", full_name="C"),
                    )
                finally:
                    connection.close()

            workers = [threading.Thread(target=one) for _ in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()

        return run

    single = timed(burst(1), rounds=10)
    print("\nConcurrent applications to one cohort (baseline: one application in a thread)")
    row("1 thread (baseline)", single, single)
    row("16 threads at once, 8 seats", timed(burst(16), rounds=10), single, "per burst")

    # --- certificates -----------------------------------------------------------------------
    bench_certificate_run(
        row,
        office=office,
        center=Center.objects.get(slug="moscow"),
        program=Program.objects.get(slug="marketing"),
    )
    bench_documents(row=row, rounds=min(ROUNDS, 5))

    # --- memory ----------------------------------------------------------------------------
    print("\nPeak memory (baseline: the login page)")
    base_peak = peak_memory(lambda: web.get("/accounts/login/"))
    list_peak = peak_memory(lambda: api.get("/api/v1/cohorts", {"limit": 100}))
    print(f"  {'GET /accounts/login/ (baseline)':<46} {base_peak / 1024:9.0f} KiB  {1.0:7.1f}×")
    print(
        f"  {'GET /api/v1/cohorts?limit=100':<46} {list_peak / 1024:9.0f} KiB  "
        f"{list_peak / base_peak:7.1f}×"
    )


def _admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


if __name__ == "__main__":
    sys.exit(main())
