"""How long the PDF documents take, against a one-line PDF in a built-in font.

`python bench/documents.py` runs it alone; `bench/run.py` calls `bench_documents()` with its
own `timed` and `row`. The documents are pure functions (no database), so this needs only
the settings and the fonts (`npm ci`).

What it shows: a certificate against the same certificate with its fonts read the way
fpdf2 reads them by itself, both 4.5 MB Noto Sans JP faces parsed for every document (see
`kakehashi.core.pdf`); what is left is fontTools subsetting the glyphs a document uses, and
drawing. Threads do not make a cohort faster (the work holds the GIL) but must give the
same bytes.
"""

import datetime
import logging
import os
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Protocol

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kakehashi.settings")
    import django

    django.setup()

from fpdf import FPDF

from kakehashi.core.pdf import FONT_FAMILY, Document, font_paths
from kakehashi.credentials import documents as credentials_documents
from kakehashi.credentials.documents import (
    CertificateFacts,
    TranscriptFacts,
    TranscriptLine,
    render_certificate_pdf,
    render_transcript_pdf,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
# Completing a cohort issues its certificates together; 200 is the largest cohort we plan for.
COHORT = int(os.environ.get("BENCH_COHORT", "200"))
THREADS = 4
THREADED = min(COHORT, 40)


class Row(Protocol):
    def __call__(self, name: str, seconds: float, baseline: float, note: str = ...) -> None: ...


def measure(work: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``work`` over ``rounds`` runs, after a warm-up.
    On a shared machine the CPU time is the steadier figure."""
    work()
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus)


def measure_pair(
    first: Callable[[], object], second: Callable[[], object], rounds: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``measure`` for two ways of doing the same work, run in turns so that a busy machine
    slows both alike."""
    first(), second()
    samples: list[list[tuple[float, float]]] = [[], []]
    for _ in range(rounds):
        for index, work in enumerate((first, second)):
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            samples[index].append((time.perf_counter() - wall, time.process_time() - cpu))
    medians = [
        (statistics.median(w for w, _c in runs), statistics.median(c for _w, c in runs))
        for runs in samples
    ]
    return medians[0], medians[1]


def _row(name: str, seconds: float, baseline: float, note: str = "") -> None:
    print(f"  {name:<46} {seconds * 1000:9.2f} ms  {seconds / baseline:7.1f}×  {note}")


def certificate(n: int = 0, language: str = "ru") -> CertificateFacts:
    names = {"en": "Anna Smith", "ru": "Иван Петрович Сидоров", "ja": "山田太郎（やまだ たろう）"}
    return CertificateFacts(
        language=language,
        number=f"MOW-2026-{n:08d}",
        holder_name=f"{names[language]} {n}",
        program_name={"en": "Kaizen and 5S", "ru": "Кайдзен и 5S", "ja": "改善と5S"}[language],
        center_name={"en": "Japan Center Moscow", "ru": "Японский центр в Москве"}.get(
            language, "モスクワ日本センター"
        ),
        network_name={"en": "Japan Centers", "ru": "Японские центры"}.get(language, "日本センター"),
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 11, 30),
        hours=Decimal("72"),
        issued_on=datetime.date(2026, 12, 1),
        verify_url=f"https://kakehashi.example.org/verify/MOW-2026-{n:08d}",
    )


def transcript(sessions: int = 60) -> TranscriptFacts:
    return TranscriptFacts(
        language="ru",
        holder_name="Иван Петрович Сидоров",
        program_name="Кайдзен и 5S",
        center_name="Японский центр в Москве",
        network_name="Японские центры",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 11, 30),
        outcome="Выбыл 1 октября 2026 г.",
        lines=tuple(
            TranscriptLine(
                day=datetime.date(2026, 9, 1) + datetime.timedelta(days=n),
                title=f"Занятие {n + 1}: гемба",
                hours=Decimal("1.5"),
                attendance="Присутствовал",
            )
            for n in range(sessions)
        ),
        hours_attended=Decimal("45"),
        hours_scheduled=Decimal("90"),
        result="",
        issued_on=datetime.date(2026, 10, 2),
    )


def one_line_in_a_builtin_font() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Certificate MOW-2026-00000000")
    return bytes(pdf.output())


class StockFontsDocument(Document):
    """A document whose fonts fpdf2 adds on its own, parsing both files for it."""

    def add_fonts(self) -> None:
        for style, path in font_paths().items():
            self.add_font(FONT_FAMILY, style, path)


def certificate_with_stock_fonts(facts: CertificateFacts) -> bytes:
    original = credentials_documents.Document
    credentials_documents.Document = StockFontsDocument  # type: ignore[misc]
    try:
        return render_certificate_pdf(facts)
    finally:
        credentials_documents.Document = original  # type: ignore[misc]


def fonts_only() -> None:
    """What a document pays before drawing anything: its copies of both faces."""
    Document(language="ru", title="", author="", created_on=datetime.date(2026, 12, 1))


def bench_documents(row: Row = _row, rounds: int = ROUNDS) -> None:
    # fontTools reports every table it subsets at INFO; the project logs INFO to the console.
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    wall, cpu = time.perf_counter(), time.process_time()
    render_certificate_pdf(certificate(0))
    first = time.perf_counter() - wall, time.process_time() - cpu

    baseline, _cpu = measure(one_line_in_a_builtin_font, rounds)
    few = max(3, rounds // 3)  # the stock-fonts certificate takes about a third of a second

    def show(name: str, timing: tuple[float, float], note: str = "") -> None:
        row(name, timing[0], baseline, f"CPU {timing[1] * 1000:.0f} ms {note}".rstrip())

    print("\nDocuments (baseline: one line of PDF in a built-in font, nothing embedded)")
    row("one line, Helvetica (baseline)", baseline, baseline)
    show("first certificate in a process", first, "(imports, cold caches)")
    for language in ("en", "ru", "ja"):
        facts = certificate(1, language)
        show(f"next certificate ({language})", measure(partial(render_certificate_pdf, facts), few))
    show(
        "transcript, 60 sessions (3 pages)",
        measure(partial(render_transcript_pdf, transcript()), few),
    )

    # What reading the fonts once saves: the same certificate, fonts parsed for it.
    facts = certificate(1, "ru")
    stock, once = measure_pair(
        partial(certificate_with_stock_fonts, facts), partial(render_certificate_pdf, facts), few
    )
    show("certificate (ru), fonts parsed for it (fpdf2)", stock)
    show("the same, fonts read once (Kakehashi)", once, f"{stock[1] / once[1]:.1f}× less CPU")
    show("a document's fonts only (no page)", measure(fonts_only, few))

    cohort = [certificate(n) for n in range(COHORT)]
    wall, cpu = time.perf_counter(), time.process_time()
    alone = [render_certificate_pdf(one) for one in cohort]
    show(
        f"a cohort of {COHORT} certificates, one thread",
        (time.perf_counter() - wall, time.process_time() - cpu),
    )

    # Workers render in threads: the same bytes, and (the work holds the GIL) no faster.
    part = cohort[:THREADED]
    together: dict[int, bytes] = {}

    def worker(indexes: list[int]) -> None:
        for index in indexes:
            together[index] = render_certificate_pdf(part[index])

    shares = [list(range(len(part)))[i::THREADS] for i in range(THREADS)]
    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    wall, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - wall, time.process_time() - cpu
    same = all(together[i] == alone[i] for i in range(len(part)))
    show(
        f"{len(part)} of them in {THREADS} threads",
        elapsed,
        "same bytes" if same else "DIFFERENT BYTES",
    )

    tracemalloc.start()
    render_certificate_pdf(certificate(2))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  {'peak memory of one certificate':<46} {peak / 2**20:9.1f} MiB")


if __name__ == "__main__":
    bench_documents()
    sys.exit(0)
