"""The Russian and Japanese catalogs: complete, faithful to their placeholders, compiled,
and really used by the services, the pages and the API."""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kakehashi.admissions import services as admissions
from kakehashi.catalog import services as catalog
from kakehashi.core.cleaning import FIELD_LABELS, clean_text
from kakehashi.core.errors import InvalidInput
from kakehashi.core.models import User
from kakehashi.core.money import check_currency
from kakehashi.core.translated import check_texts
from kakehashi.network import services as network
from kakehashi.network.models import Center
from tests import factories
from tests.factories import SYSTEM
from tests.support.clients import ApiClient

PACKAGE = Path(settings.PACKAGE_DIR)
LOCALE = PACKAGE / "locale"
LANGUAGES = ["ru", "ja"]

PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
    "ja": "nplurals=1; plural=0;",
}
# How the catalogs are made: the demo app's strings are the operator's, in English.
MAKEMESSAGES = ["makemessages", "--no-location", "--ignore", "demo/*"]
HOW_TO_UPDATE = (
    "cd src/kakehashi && ../../.venv/bin/kakehashi makemessages -l ru -l ja --no-location "
    "--no-obsolete --ignore 'demo/*'; translate the new entries; then "
    "../../.venv/bin/kakehashi compilemessages"
)

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji
SCRIPTS = {"ru": CYRILLIC, "ja": JAPANESE}
# A printf-style placeholder as Python's % operator reads it: %(name)s, %d, %.2f, %%.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])"
)


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.mo"


def read_catalog(path: Path, language: str, *, strict: bool = True) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language, abort_invalid=strict)


def entries(catalog: Catalog) -> Iterator[Message]:
    """The catalog's messages, without its header."""
    return (message for message in catalog if message.id)


def key(message: Message) -> tuple[str | None, str | tuple[str, ...]]:
    # read_mo gives a plural's ids as a list, read_po as a tuple.
    message_id = message.id if isinstance(message.id, str) else tuple(message.id)
    return (message.context, message_id)


def placeholders(text: str) -> list[tuple[str | None, str]]:
    found = [(m["name"], m["type"]) for m in PLACEHOLDER.finditer(text)]
    return sorted((name, kind) for name, kind in found if kind != "%")


def forms(message: Message) -> list[str]:
    strings = message.string
    return list(strings) if isinstance(strings, tuple) else [strings]


def label(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


@pytest.fixture(autouse=True)
def _leave_no_language_active() -> Iterator[None]:
    # A request activates its language for the rest of the thread (LocaleMiddleware never
    # deactivates it), which would leak into the tests that run after these.
    yield
    translation.deactivate()


# --- the catalogs themselves -------------------------------------------------------------------


def test_every_language_but_english_has_a_catalog_where_django_looks() -> None:
    assert [code for code, _name in settings.LANGUAGES] == [settings.LANGUAGE_CODE, *LANGUAGES]
    # makemessages writes to the first of LOCALE_PATHS, and Django reads from there.
    assert [Path(path) for path in settings.LOCALE_PATHS] == [LOCALE]
    for language in LANGUAGES:
        assert po_path(language).is_file()
        assert mo_path(language).is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_declares_its_language_charset_and_plural_forms(language: str) -> None:
    catalog = read_catalog(po_path(language), language)
    headers = dict(catalog.mime_headers)

    assert not catalog.fuzzy, "remove the 'fuzzy' flag from the header"
    assert headers["Language"] == language
    assert headers["Content-Type"].lower() == "text/plain; charset=utf-8"
    assert headers["Plural-Forms"] == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalog = read_catalog(po_path(language), language)
    untranslated = [label(m) for m in entries(catalog) if not all(forms(m))]
    fuzzy = [label(m) for m in entries(catalog) if m.fuzzy]
    wrong_plurals = [
        label(m)
        for m in entries(catalog)
        if m.pluralizable and len(forms(m)) != catalog.num_plurals
    ]

    assert untranslated == [], f"untranslated in {language}"
    assert fuzzy == [], f"fuzzy in {language}: check each and remove the flag"
    assert wrong_plurals == [], f"need {catalog.num_plurals} plural forms in {language}"
    assert len(list(entries(catalog))) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_exactly_the_placeholders_of_their_source(language: str) -> None:
    catalog = read_catalog(po_path(language), language)
    wrong = []
    for message in entries(catalog):
        sources = list(message.id) if isinstance(message.id, tuple) else [message.id]
        if "python-format" in message.flags or any("%(" in s for s in sources):
            expected = placeholders(sources[-1])
            assert all(placeholders(source) == expected for source in sources), sources
            wrong += [(label(message), t) for t in forms(message) if placeholders(t) != expected]
        else:
            # Plain text is never %-formatted: a literal % is fine, a placeholder is a mistake.
            wrong += [(label(message), t) for t in forms(message) if "%(" in t]

    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_holds_exactly_the_translations_of_the_po_file(
    language: str,
) -> None:
    po = read_catalog(po_path(language), language)
    with mo_path(language).open("rb") as file:
        mo = read_mo(file)
    with mo_path(language).open("rb") as file:
        compiled = gettext.GNUTranslations(file)

    stale = f"{mo_path(language)} is out of date with its .po: {HOW_TO_UPDATE}"
    assert {key(m) for m in entries(mo)} == {key(m) for m in entries(po)}, stale
    assert compiled.info()["plural-forms"] == PLURAL_FORMS[language], stale
    plural_index = gettext.c2py(PLURAL_FORMS[language].split("plural=", 1)[1].rstrip(";"))
    for message in entries(po):
        if isinstance(message.id, tuple):
            singular, plural = message.id
            for n in range(200):
                if message.context:
                    got = compiled.npgettext(message.context, singular, plural, n)
                else:
                    got = compiled.ngettext(singular, plural, n)
                assert got == message.string[plural_index(n)], stale
        elif message.context:
            assert compiled.pgettext(message.context, message.id) == message.string, stale
        else:
            assert compiled.gettext(message.id) == message.string, stale


def _missing_gettext_tool() -> str | None:
    return next((t for t in ("xgettext", "msgmerge", "msguniq") if not shutil.which(t)), None)


def test_the_catalogs_hold_every_string_of_the_code_and_nothing_else(tmp_path: Path) -> None:
    """Extract the strings afresh from a copy of the package and compare them with the
    committed catalogs: a new string left untranslated fails here."""
    missing_tool = _missing_gettext_tool()
    if missing_tool is not None:
        pytest.skip(f"GNU gettext's {missing_tool} is not on PATH, so strings cannot be extracted")
    # A copy, so that the committed catalogs are never touched; its own settings module,
    # so that makemessages writes into the copy's locale directory and nowhere else.
    copy = tmp_path / "kakehashi"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    (copy / "locale").mkdir()
    (tmp_path / "extraction_settings.py").write_text(
        f"SECRET_KEY = 'extraction'\nUSE_I18N = True\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extraction_settings",
        "PYTHONPATH": str(tmp_path),
    }
    django_admin = Path(sys.executable).with_name("django-admin")
    command = [str(django_admin)] if django_admin.exists() else [sys.executable, "-m", "django"]
    result = subprocess.run(  # noqa: S603 (our own interpreter's django-admin)
        [*command, *MAKEMESSAGES, *(f"--locale={language}" for language in LANGUAGES)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    for language in LANGUAGES:
        # Fresh from the template, with as many msgstr[n] as English has: not yet valid.
        fresh = read_catalog(copy / po_path(language).relative_to(PACKAGE), language, strict=False)
        extracted = {key(m) for m in entries(fresh)}
        committed = {key(m) for m in entries(read_catalog(po_path(language), language))}
        new = sorted(str(message_id) for _context, message_id in extracted - committed)
        gone = sorted(str(message_id) for _context, message_id in committed - extracted)
        assert (new, gone) == ([], []), (
            f"the {language} catalog is behind the code (new strings first, then strings "
            f"no longer used): {HOW_TO_UPDATE}"
        )


# --- the translations at work --------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_domain_error_speaks_the_active_language(language: str) -> None:
    with translation.override(language), pytest.raises(InvalidInput) as refused:
        check_currency("XYZ")

    assert SCRIPTS[language].search(refused.value.message), refused.value.message
    assert "XYZ" in refused.value.message
    assert SCRIPTS[language].search(refused.value.fields["currency"])


def test_a_domain_error_is_in_english_when_english_is_active() -> None:
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        check_currency("XYZ")

    assert refused.value.message.startswith("XYZ is not a known currency code")


@pytest.mark.parametrize(
    ("n", "ending"),
    [
        (1, "заявка."),
        (21, "заявка."),
        (3, "заявки."),
        (22, "заявки."),
        (5, "заявок."),
        (11, "заявок."),
        (12, "заявок."),
    ],
)
def test_russian_counts_take_the_right_plural_form(n: int, ending: str) -> None:
    with translation.override("ru"):
        text = translation.ngettext(
            "Rejected %(n)d application.", "Rejected %(n)d applications.", n
        ) % {"n": n}

    assert text.endswith(f"{n} {ending}"), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_front_page_is_written_in_the_browsers_language(
    db: None, client: Client, language: str
) -> None:
    english = "Catalog"  # the portal's front page: the catalog of programs
    with translation.override(language):
        heading = translation.gettext(english)

    response = client.get("/", headers={"Accept-Language": language})

    assert heading != english
    assert SCRIPTS[language].search(heading)
    assert f"<h1>{escape(heading)}</h1>" in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_errors_speak_the_language_of_the_request(
    api_as: type[ApiClient], office: User, language: str
) -> None:
    api = api_as(office)
    api.headers["Accept-Language"] = language
    script = SCRIPTS[language]

    malformed = api.post("/centers", {"slug": "khabarovsk"})
    assert malformed.status_code == 422
    assert script.search(malformed.json()["message"]), malformed.json()

    center = {
        "network": "net",
        "slug": "khabarovsk",
        "name": {"en": "Japan Center Khabarovsk"},
        "city": {"en": "Khabarovsk"},
        "timezone": "Mars/Olympus",
    }
    refused = api.post("/centers", center)
    assert refused.status_code == 422
    body = refused.json()
    assert script.search(body["message"]) and "Mars/Olympus" in body["message"], body
    assert script.search(body["fields"]["timezone"]), body

    anonymous = Client().get("/api/v1/centers", headers={"Accept-Language": language})
    assert anonymous.status_code == 401
    assert script.search(anonymous.json()["message"]), anonymous.json()


# --- fields named as a person reads them -------------------------------------------------------

# The services whose messages name fields, and the helpers through which they name them.
SERVICES = [
    *(PACKAGE / app / "services.py" for app in ("network", "catalog")),
    *sorted((PACKAGE / "admissions" / "services").glob("*.py")),
]
NAMING_HELPERS = {"clean_text", "clean_int", "clean_slug", "clean_url", "check_texts", "_choice"}
# A column heading of an admin list: its field, then its text.
COLUMN_HEADING = re.compile(
    r'<th scope="col" class="[^"]*\bcolumn-(\w+)[^"]*">.*?<div class="text">(?:<a [^>]*>)?([^<]*)',
    re.DOTALL,
)


def test_every_field_a_service_names_in_a_message_has_a_label() -> None:
    named: set[str] = set()
    for path in SERVICES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in NAMING_HELPERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                named.add(node.args[0].value)
    # Named through a variable: a cohort field that cannot be empty, a center's texts.
    named |= catalog.UPDATABLE_COHORT_FIELDS | set(network.CENTER_TEXT_FIELDS)

    assert len(named) > 20, named
    assert sorted(named - set(FIELD_LABELS)) == []


@pytest.mark.parametrize(("language", "label"), [("ru", "«ФИО»"), ("ja", "「氏名」")])
def test_an_error_names_a_field_by_its_translated_label_not_its_code(
    center: Center, language: str, label: str
) -> None:
    cohort = factories.make_cohort(center)
    too_long = admissions.Applicant(email="anna@example.org", full_name="Анна " * 50)

    with translation.override(language), pytest.raises(InvalidInput) as refused:
        admissions.apply(actor=SYSTEM, cohort=cohort, applicant=too_long)

    assert label in refused.value.message, refused.value.message
    assert "full_name" not in refused.value.message
    # Forms and API clients match an error to its field by the field's code: that stays.
    assert list(refused.value.fields) == ["full_name"]


def test_an_error_in_one_translation_names_the_field_and_that_language() -> None:
    with translation.override("ru"), pytest.raises(InvalidInput) as refused:
        check_texts("name", {"en": "Moscow", "ru": "Моск\x00ва"})

    assert refused.value.message == "Поле «название (Русский)» содержит символ NUL."
    assert list(refused.value.fields) == ["name"]


def test_a_list_of_choices_shows_their_labels_beside_the_codes_a_client_sends(
    center: Center,
) -> None:
    with translation.override("ru"), pytest.raises(InvalidInput) as refused:
        network.change_center_status(actor=SYSTEM, center=center, to_status="bankrupt")

    choices = refused.value.fields["status"]
    assert "Приостановлен (suspended)" in choices, choices
    assert "Закрыт (closed)" in choices, choices


@pytest.mark.parametrize(
    ("n", "ending"),
    [(1, "символ."), (21, "символ."), (3, "символа."), (5, "символов."), (11, "символов.")],
)
def test_a_russian_count_in_a_domain_error_takes_the_right_plural_form(n: int, ending: str) -> None:
    with translation.override("ru"), pytest.raises(InvalidInput) as refused:
        clean_text("company", "x" * (n + 1), max_length=n)

    assert refused.value.message == f"Поле «компания» слишком длинное: максимум {n} {ending}"
    assert refused.value.fields["company"] == f"Максимум {n} {ending}"


@pytest.mark.parametrize("app", ["network", "catalog", "admissions"])
def test_every_model_and_field_of_the_domain_has_a_russian_name(app: str) -> None:
    unnamed = []
    with translation.override("ru"):
        for model in apps.get_app_config(app).get_models():
            meta = model._meta
            # Unless given, the plural is the singular with an "s": Cyrillic, and wrong.
            if "verbose_name_plural" not in meta.original_attrs:
                unnamed.append(f"{model.__name__} (plural)")
            unnamed += [
                f"{model.__name__}.{field.name}"
                for field in meta.get_fields()
                if field.concrete
                and not field.auto_created
                and not CYRILLIC.search(str(field.verbose_name))
            ]

    assert unnamed == []


def test_records_show_their_status_as_a_person_reads_it(center: Center) -> None:
    cohort = factories.make_cohort(center)
    enrollment = admissions.apply(actor=SYSTEM, cohort=cohort, applicant=factories.applicant(1))
    planned, opened = center.status_changes.order_by("effective_on", "pk")

    with translation.override("ru"):
        assert str(enrollment).endswith("(Зачислен)"), str(enrollment)
        assert str(planned).startswith("Center moscow: ∅ → Планируется ("), str(planned)
        assert str(opened).startswith("Center moscow: Планируется → Работает ("), str(opened)


def test_the_admin_list_of_cohorts_is_headed_in_russian(office: User, center: Center) -> None:
    factories.make_cohort(center)
    office.is_staff = True
    office.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(office)

    response = client.get(
        reverse("admin:catalog_cohort_changelist"), headers={"Accept-Language": "ru"}
    )

    assert response.status_code == 200
    headings = dict(COLUMN_HEADING.findall(response.content.decode()))
    assert headings["program"] == "Программа", headings
    assert headings["center"] == "Центр", headings
    assert headings["capacity"] == "Число мест", headings


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_schema_errors_speak_the_language_of_the_request(
    api_as: type[ApiClient], registrar: User, center: Center, language: str
) -> None:
    cohort = factories.make_cohort(center)
    api = api_as(registrar)
    api.headers["Accept-Language"] = language

    emptied = api.patch(f"/cohorts/{cohort.pk}", {"capacity": None})
    with_nul = api.post(
        f"/cohorts/{cohort.pk}/sessions",
        {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T12:00", "title": "a\x00b"},
    )
    not_a_link = api.post(
        f"/cohorts/{cohort.pk}/sessions",
        {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T12:00", "online_url": "zoom"},
    )

    for response, field in [(emptied, "capacity"), (with_nul, "title"), (not_a_link, "online_url")]:
        assert response.status_code == 422
        assert SCRIPTS[language].search(response.json()["fields"][field]), response.json()
