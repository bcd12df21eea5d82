"""The certificate and the transcript as a reader gets them: text that poppler extracts in
the document's language, fonts embedded, long names that still fit, long transcripts that
break across pages, a QR code that is segno's symbol module for module, and the same bytes
for the same facts. Pure functions: no database."""

import dataclasses
import datetime
import logging
import re
import shutil
import subprocess
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import segno
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext, pgettext
from fontTools.fontBuilder import FontBuilder
from fontTools.misc.psCharStrings import T2CharString
from PIL import Image

from kakehashi.core import pdf
from kakehashi.credentials import documents
from kakehashi.credentials.checks import check_fonts
from kakehashi.credentials.documents import (
    CertificateFacts,
    TranscriptFacts,
    TranscriptLine,
    render_certificate_pdf,
    render_transcript_pdf,
)

VERIFY_URL = "https://kakehashi.example.org/verify/MOW-2026-7K3D9QXH"

ENGLISH = CertificateFacts(
    language="en",
    number="MOW-2026-7K3D9QXH",
    holder_name="Anna Smith",
    program_name="Kaizen and 5S",
    center_name="Japan Center Moscow",
    network_name="Japan Centers",
    starts_on=datetime.date(2026, 9, 1),
    ends_on=datetime.date(2026, 11, 30),
    hours=Decimal("72"),
    issued_on=datetime.date(2026, 12, 1),
    verify_url=VERIFY_URL,
)
RUSSIAN = dataclasses.replace(
    ENGLISH,
    language="ru",
    holder_name="Иван Петрович Сидоров",
    program_name="Кайдзен и 5S",
    center_name="Японский центр в Москве",
    network_name="Японские центры",
    hours=Decimal("36.5"),
)
JAPANESE = dataclasses.replace(
    ENGLISH,
    language="ja",
    holder_name="山田太郎（やまだ たろう）",
    program_name="改善と5S",
    center_name="モスクワ日本センター",
    network_name="日本センター",
)


# --- poppler ------------------------------------------------------------------------------


def write(tmp_path: Path, data: bytes, name: str = "document.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def poppler(tool: str, *args: str) -> str:
    """Run one of poppler's command-line tools (installed with poppler-utils)."""
    program = shutil.which(tool)
    assert program, f"{tool} is not installed (apt-get install poppler-utils)"
    return subprocess.run(  # noqa: S603 (our own arguments)
        [program, *args], check=True, capture_output=True, text=True
    ).stdout


def pdftotext(path: Path, *, page: int | None = None, layout: bool = False) -> str:
    """The text poppler extracts; with ``layout``, lines as they stand on the page (a table's
    row on one line), else in reading order."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    layout_option = ["-layout"] if layout else []
    return poppler("pdftotext", "-enc", "UTF-8", *layout_option, *pages, str(path), "-")


def words(text: str) -> str:
    """Runs of white space (line breaks, no-break spaces) as one space."""
    return re.sub(r"\s+", " ", text).strip()


def letters(text: str) -> str:
    """The text without any white space: a name broken over lines is still the name."""
    return re.sub(r"\s+", "", text)


def pdfinfo(path: Path) -> dict[str, str]:
    output = poppler("pdfinfo", "-isodates", str(path))
    return {
        key.strip(): value.strip()
        for key, _sep, value in (line.partition(":") for line in output.splitlines())
    }


def pdffonts(path: Path) -> list[dict[str, str]]:
    """The rows of `pdffonts`, keyed by its column headings."""
    lines = poppler("pdffonts", str(path)).splitlines()
    heading, rule, rows = lines[0], lines[1], lines[2:]
    # Columns are as wide as the runs of dashes under their headings.
    spans = [match.span() for match in re.finditer(r"-+", rule)]
    names = [heading[start:end].strip() for start, end in spans]
    return [
        {name: row[start:end].strip() for name, (start, end) in zip(names, spans, strict=True)}
        for row in rows
    ]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three example certificates, rendered once for the tests that only read them."""
    folder = tmp_path_factory.mktemp("certificates")
    return {
        facts.language: write(folder, render_certificate_pdf(facts), f"{facts.language}.pdf")
        for facts in (ENGLISH, RUSSIAN, JAPANESE)
    }


# --- what the certificate says -------------------------------------------------------------


def test_english_certificate_states_who_completed_what_where_and_when(
    rendered: dict[str, Path],
) -> None:
    text = words(pdftotext(rendered["en"]))

    for expected in (
        "JAPAN CENTERS",
        "Certificate",
        "This certifies that",
        "Anna Smith",
        "has completed the program",
        "Kaizen and 5S",
        "Japan Center Moscow",
        "from 1 September 2026 to 30 November 2026",
        "72",
        "Hours of instruction",
        "MOW-2026-7K3D9QXH",
        "Certificate number",
        "1 December 2026",
        "Issued on",
        f"Verify at {VERIFY_URL}",
    ):
        assert expected in text


def test_russian_certificate_names_the_holder_in_cyrillic(rendered: dict[str, Path]) -> None:
    text = words(pdftotext(rendered["ru"]))

    assert "Иван Петрович Сидоров" in text
    assert "Кайдзен и 5S" in text and "Японский центр в Москве" in text
    assert "1 сентября 2026 г." in text and "30 ноября 2026 г." in text
    assert "36,5" in text  # hours, with the Russian decimal comma
    assert "MOW-2026-7K3D9QXH" in text and VERIFY_URL in text


def test_japanese_certificate_names_the_holder_in_kanji_and_kana(
    rendered: dict[str, Path],
) -> None:
    text = words(pdftotext(rendered["ja"]))

    assert "山田太郎（やまだ たろう）" in text
    assert "改善と5S" in text and "モスクワ日本センター" in text
    assert "2026年9月1日" in text and "2026年12月1日" in text
    with translation.override("ja"):
        # The heading as the Japanese catalog has it ("Certificate" until it is translated).
        assert pgettext("certificate heading", "Certificate") in text
    assert "MOW-2026-7K3D9QXH" in text and VERIFY_URL in text


def test_a_one_day_program_is_dated_on_its_day(tmp_path: Path) -> None:
    facts = dataclasses.replace(ENGLISH, ends_on=ENGLISH.starts_on)

    text = words(pdftotext(write(tmp_path, render_certificate_pdf(facts))))

    assert "on 1 September 2026" in text and "from" not in text


def test_documents_carry_title_author_language_and_the_issue_date(
    rendered: dict[str, Path],
) -> None:
    info = pdfinfo(rendered["ru"])

    with translation.override("ru"):
        title = gettext("Certificate %(number)s: %(holder)s") % {
            "number": "MOW-2026-7K3D9QXH",
            "holder": "Иван Петрович Сидоров",
        }
    assert title.startswith("Сертификат")  # in the holder's language
    assert info["Title"] == title
    assert info["Author"] == "Японские центры"
    assert info["Subject"] == "Кайдзен и 5S"
    assert info["CreationDate"].startswith("2026-12-01T00:00:00")
    assert info["Page size"].endswith("(A4)") and info["Pages"] == "1"
    assert b"/Lang (ru)" in rendered["ru"].read_bytes()


def test_every_font_is_embedded_as_a_subset(rendered: dict[str, Path]) -> None:
    for path in rendered.values():
        fonts = pdffonts(path)

        assert len(fonts) == 2  # regular and bold
        for font in fonts:
            assert font["name"].partition("+")[2].startswith("NotoSansJapanese"), font
            assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), font


def test_no_character_falls_outside_the_font(caplog: pytest.LogCaptureFixture) -> None:
    # babel writes "2026 г." and "1 000" with a narrow no-break space, which Noto Sans JP
    # lacks; a name typed on a Mac arrives decomposed ("й" as "и" and a combining breve).
    facts = dataclasses.replace(RUSSIAN, holder_name="Андреи\u0306 Иванов", hours=Decimal("1200"))

    with caplog.at_level(logging.WARNING):
        render_certificate_pdf(facts)

    assert "missing the following glyphs" not in caplog.text


# --- long texts ----------------------------------------------------------------------------

LONG_NAME = (
    "Александра Константиновна Воскресенская-Преображенская-Рождественская "
    "фон Штауффенберг-Лихтенштейн-Оболенская-Трубецкая"
)
LONG_PROGRAM = (
    "Управление международными инвестиционными проектами в условиях цифровой "
    "трансформации, санкционных ограничений и глобальной нестабильности: стратегии, "
    "инструменты, практика, переговоры с японскими партнёрами и бережливое производство"
)


@pytest.mark.parametrize(
    ("language", "name", "program"),
    [
        ("ru", LONG_NAME, LONG_PROGRAM),
        ("en", LONG_NAME * 2, LONG_PROGRAM * 2),
        (
            "ja",
            "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末食う寝る処に住む処"
            "やぶら小路の藪柑子パイポパイポパイポのシューリンガン",
            "デジタルトランスフォーメーション時代における国際投資プロジェクト管理："
            "戦略・手法・実践（上級経営者向け集中講座）" * 3,
        ),
    ],
)
def test_long_names_and_titles_are_set_smaller_on_the_one_page(
    tmp_path: Path, language: str, name: str, program: str
) -> None:
    facts = dataclasses.replace(ENGLISH, language=language, holder_name=name, program_name=program)

    path = write(tmp_path, render_certificate_pdf(facts))

    assert pdfinfo(path)["Pages"] == "1"
    text = letters(pdftotext(path))
    assert letters(name) in text and letters(program) in text
    assert letters(VERIFY_URL) in text


# --- the QR code ---------------------------------------------------------------------------


def segno_modules(data: str) -> list[list[bool]]:
    """What segno makes of ``data`` (error correction M or better), quiet zone included."""
    qr = segno.make_qr(data, error="m")
    return [[bool(m) for m in row] for row in qr.matrix_iter(scale=1, border=4)]


@pytest.mark.parametrize("data", [VERIFY_URL, "x", "https://example.org/" + "v" * 120])
def test_qr_rectangles_paint_exactly_segnos_modules(data: str) -> None:
    expected = segno_modules(data)
    x, y, size = 10.0, 20.0, 33.0
    module, rectangles = pdf.qr_rectangles(pdf.make_qr(data), x=x, y=y, size=size)

    # A canvas with one cell per module: paint every rectangle, and only whole modules.
    canvas = [[False] * len(expected) for _ in expected]
    for rect in rectangles:
        assert rect.h == pytest.approx(module)
        row = (rect.y - y) / module
        first, last = (rect.x - x) / module, (rect.x + rect.w - x) / module
        for position in (row, first, last):
            assert position == pytest.approx(round(position))
        for column in range(round(first), round(last)):
            assert not canvas[round(row)][column], "painted twice"
            canvas[round(row)][column] = True

    assert module == pytest.approx(size / len(expected))
    assert canvas == expected
    # The quiet zone, four modules wide, is left light all round.
    assert not any(any(row) for row in canvas[:4] + canvas[-4:])
    assert not any(any(row[:4]) or any(row[-4:]) for row in canvas)


def sampled_modules(path: Path, *, x: float, y: float, size: float, count: int) -> list[list[bool]]:
    """Rasterise the page at 300 dpi with poppler and read the colour at the centre of each
    module of a ``count``-module symbol drawn in the ``size`` mm square at (x, y)."""
    dpi = 300
    px = dpi / 25.4
    left, top = int(x * px) - 2, int(y * px) - 2
    side = int(size * px) + 4
    poppler(
        "pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile",
        "-x", str(left), "-y", str(top), "-W", str(side), "-H", str(side),
        str(path), str(path.with_suffix("")),
    )  # fmt: skip
    image = Image.open(path.with_suffix(".png")).convert("L")
    module = size / count

    def dark(row: int, column: int) -> bool:
        centre = (
            round((x + (column + 0.5) * module) * px) - left,
            round((y + (row + 0.5) * module) * px) - top,
        )
        grey = image.getpixel(centre)
        assert isinstance(grey, int)
        return grey < 128

    return [[dark(row, column) for column in range(count)] for row in range(count)]


def test_certificate_prints_segnos_symbol_for_its_verify_url(rendered: dict[str, Path]) -> None:
    expected = segno_modules(VERIFY_URL)

    printed = sampled_modules(
        rendered["ja"],
        x=documents.QR_X,
        y=documents.QR_Y,
        size=documents.QR_SIZE,
        count=len(expected),
    )

    assert printed == expected


def test_qr_codes_are_vector_shapes_with_modules_a_phone_can_read(
    rendered: dict[str, Path],
) -> None:
    data = rendered["en"].read_bytes()
    assert b"/Subtype /Image" not in data
    # A longer address than ours still gets modules of half a millimetre or more.
    module, _rectangles = pdf.qr_rectangles(
        pdf.make_qr(VERIFY_URL + "?lang=ja&" + "x" * 40), x=0, y=0, size=documents.QR_SIZE
    )
    assert module >= 0.5


# --- the transcript ------------------------------------------------------------------------


def transcript_facts(**changes: Any) -> TranscriptFacts:
    facts = TranscriptFacts(
        language="en",
        holder_name="Anna Smith",
        program_name="Kaizen and 5S",
        center_name="Japan Center Moscow",
        network_name="Japan Centers",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 11, 30),
        outcome="Withdrawn on 1 October 2026",
        lines=tuple(
            TranscriptLine(
                day=datetime.date(2026, 9, 1) + datetime.timedelta(days=n),
                title=f"Session {n + 1}: gemba walk",
                hours=Decimal("1.5"),
                attendance="Present" if n % 3 else "Late",
            )
            for n in range(60)
        ),
        hours_attended=Decimal("67.5"),
        hours_scheduled=Decimal("90"),
        result="Passed with distinction",
        issued_on=datetime.date(2026, 10, 2),
    )
    return dataclasses.replace(facts, **changes)


def test_a_long_transcript_breaks_across_pages_with_its_heading_on_each(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, render_transcript_pdf(transcript_facts()))

    pages = int(pdfinfo(path)["Pages"])
    assert pages > 1
    for page in range(1, pages + 1):
        on_page = words(pdftotext(path, page=page))
        assert f"Page {page} of {pages}" in on_page
    text = words(pdftotext(path))
    for n in range(1, 61):
        assert f"Session {n}: gemba walk" in text
    # The table's heading is printed again on every page the sessions run onto.
    pages_with_sessions = [
        page for page in range(1, pages + 1) if "gemba walk" in pdftotext(path, page=page)
    ]
    assert len(pages_with_sessions) > 1
    for page in pages_with_sessions:
        assert "Date Session Hours Attendance" in words(pdftotext(path, page=page, layout=True))


def test_transcript_states_outcome_totals_result_and_that_it_is_no_certificate(
    tmp_path: Path,
) -> None:
    text = words(pdftotext(write(tmp_path, render_transcript_pdf(transcript_facts()))))

    for expected in (
        "Transcript",
        "Anna Smith",
        "Kaizen and 5S",
        "Japan Center Moscow",
        "from 1 September 2026 to 30 November 2026",
        "Withdrawn on 1 October 2026",
        "1 Sept 2026",
        "Hours attended 67.5 of 90",
        "Result Passed with distinction",
        "Issued on 2 October 2026",
        "It is not a certificate of completion.",
    ):
        assert expected in text


def test_transcript_without_sessions_or_result_says_so(tmp_path: Path) -> None:
    facts = transcript_facts(lines=(), result="", hours_attended=Decimal("0"))

    text = words(pdftotext(write(tmp_path, render_transcript_pdf(facts))))

    assert "No sessions were held." in text
    assert "Result" not in text and "Hours attended 0 of 90" in text


def test_russian_and_japanese_transcripts_keep_their_scripts(tmp_path: Path) -> None:
    day = datetime.date(2026, 9, 1)
    russian = transcript_facts(
        language="ru",
        holder_name="Иван Сидоров",
        lines=(TranscriptLine(day, "Бережливое производство", Decimal(2), "Присутствовал"),),
    )
    japanese = transcript_facts(
        language="ja",
        holder_name="山田太郎",
        lines=(TranscriptLine(day, "現場の見える化", Decimal(2), "出席"),),
    )

    ru = words(pdftotext(write(tmp_path, render_transcript_pdf(russian), "ru.pdf")))
    ja = words(pdftotext(write(tmp_path, render_transcript_pdf(japanese), "ja.pdf")))

    assert "Иван Сидоров" in ru and "Бережливое производство" in ru and "Присутствовал" in ru
    assert "1 сент. 2026 г." in ru
    assert "山田太郎" in ja and "現場の見える化" in ja and "出席" in ja and "2026/09/01" in ja


# --- the same facts, the same bytes --------------------------------------------------------


def test_the_same_facts_give_the_same_bytes() -> None:
    assert render_certificate_pdf(RUSSIAN) == render_certificate_pdf(RUSSIAN)
    assert render_transcript_pdf(transcript_facts()) == render_transcript_pdf(transcript_facts())
    assert render_certificate_pdf(RUSSIAN) != render_certificate_pdf(
        dataclasses.replace(RUSSIAN, issued_on=datetime.date(2026, 12, 2))
    )


def _stock_fonts(document: pdf.Document) -> None:
    """Fonts as fpdf2 adds them on its own: both files parsed anew for the one document."""
    for style, path in pdf.font_paths().items():
        document.add_font(pdf.FONT_FAMILY, style, path)


def test_fonts_read_once_give_the_bytes_fpdf2_gives_reading_them_for_each_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Documents share what was read from the font files once; one after another, in every
    # script and face, each must still embed exactly its own glyphs.
    def render_all() -> list[bytes]:
        return [render_certificate_pdf(one) for one in (JAPANESE, RUSSIAN, ENGLISH)] + [
            render_transcript_pdf(transcript_facts())
        ]

    shared = render_all()
    monkeypatch.setattr(pdf.Document, "add_fonts", _stock_fonts)
    assert render_all() == shared


@pytest.mark.slow
def test_documents_rendered_in_parallel_threads_are_those_rendered_alone() -> None:
    # Background workers render in threads: nothing may be shared between two documents.
    facts = [ENGLISH, RUSSIAN, JAPANESE, dataclasses.replace(JAPANESE, holder_name="佐藤花子")]
    alone = [render_certificate_pdf(one) for one in facts]
    together: dict[int, bytes] = {}
    barrier = threading.Barrier(len(facts))

    def render(index: int) -> None:
        barrier.wait()
        together[index] = render_certificate_pdf(facts[index])

    threads = [threading.Thread(target=render, args=(i,)) for i in range(len(facts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [together[i] for i in range(len(facts))] == alone


# --- words in the document's language ------------------------------------------------------


def test_dates_and_numbers_are_written_in_the_documents_language() -> None:
    day = datetime.date(2026, 10, 1)

    assert pdf.long_date(day, "en") == "1 October 2026"
    assert pdf.long_date(day, "ru") == "1 октября 2026\u202fг."
    assert pdf.long_date(day, "ja") == "2026年10月1日"
    assert pdf.format_number(Decimal("36.00"), "ru") == "36"
    assert pdf.format_number(Decimal("1.50"), "ru") == "1,5"
    assert pdf.format_number(Decimal("1.50"), "en") == "1.5"


# --- the fonts ----------------------------------------------------------------------------


def test_font_check_passes_with_the_installed_fonts() -> None:
    assert check_fonts(None) == []


def test_font_check_reports_an_empty_font_folder(settings: Any, tmp_path: Path) -> None:
    settings.KAKEHASHI_FONT_DIR = tmp_path

    [error] = check_fonts(None)

    assert error.id == "credentials.E002" and error.is_serious()
    assert str(tmp_path) in error.msg and "NotoSansJP-Regular.otf is missing" in error.msg
    assert error.hint is not None
    assert "npm ci" in error.hint and "KAKEHASHI_FONT_DIR" in error.hint


def test_font_check_reports_a_file_that_is_not_a_font(settings: Any, tmp_path: Path) -> None:
    # What a checkout without the npm packages' files, or a Git LFS pointer, looks like.
    for name in pdf.FONT_FILES.values():
        (tmp_path / name).write_text("version https://git-lfs.github.com/spec/v1\n")
    settings.KAKEHASHI_FONT_DIR = tmp_path

    [error] = check_fonts(None)

    assert "is not an OpenType font" in error.msg


def test_font_check_reports_a_truetype_font(settings: Any, tmp_path: Path) -> None:
    # The documents embed CFF outlines: a .ttf renamed to the expected name does not do.
    for name in pdf.FONT_FILES.values():
        (tmp_path / name).write_bytes(b"\x00\x01\x00\x00" + bytes(60))
    settings.KAKEHASHI_FONT_DIR = tmp_path

    [error] = check_fonts(None)

    assert "has TrueType outlines" in error.msg


def _name_keyed_cff_font(path: Path) -> None:
    """A one-glyph OpenType font whose CFF outlines are keyed by glyph name, not by CID."""
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    square = T2CharString(
        program=[100, 100, "rmoveto", 500, 0, 0, 500, -500, 0, "rlineto", "endchar"]
    )
    builder.setupCFF("Square", {"FullName": "Square"}, {".notdef": square, "A": square}, {})
    builder.setupHorizontalMetrics({".notdef": (600, 100), "A": (600, 100)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Square", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))


def test_a_face_without_cid_keyed_outlines_is_refused_by_name(
    settings: Any, tmp_path: Path
) -> None:
    # It passes the quick check (it is an .otf), but the documents embed CID-keyed faces only.
    for name in pdf.FONT_FILES.values():
        _name_keyed_cff_font(tmp_path / name)
    settings.KAKEHASHI_FONT_DIR = tmp_path
    assert check_fonts(None) == []

    with pytest.raises(ImproperlyConfigured, match="has no CID-keyed CFF outlines"):
        render_certificate_pdf(ENGLISH)


def test_rendering_without_fonts_says_where_they_were_looked_for(
    settings: Any, tmp_path: Path
) -> None:
    settings.KAKEHASHI_FONT_DIR = tmp_path / "nowhere"

    with pytest.raises(ImproperlyConfigured) as raised:
        render_certificate_pdf(ENGLISH)

    assert str(tmp_path / "nowhere") in str(raised.value)
    assert "npm ci" in str(raised.value) and "KAKEHASHI_FONT_DIR" in str(raised.value)
