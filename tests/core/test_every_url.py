"""Every page, visited by every kind of person: who gets in, and who is kept out.

The URL patterns come from the resolver, so a page added tomorrow is visited tomorrow: one
that is missing from ``ACCESS`` fails ``test_every_url_pattern_is_classified`` until someone
says who may see it. Each page is then visited (GET, or a POST with the CSRF token for a
page that only takes POST) by nobody, an account with no role, the participant's own
account, the network office, every role at the page's own center and every role at the
other center, and each answer is checked against the page's entry:

- ``public``: anybody gets the page (2xx or 3xx).
- ``link``: whoever holds the signed link gets the page; a forged link is refused.
- ``account``: any signed-in person gets the page; nobody is sent to the login page.
- ``owner``: the participant's own account gets the page; other accounts are refused (403
  or 404); nobody is sent to the login page.
- ``staff``: nobody is sent to the login page; accounts with no role are refused (403); the
  office and the center's roles that hold the permission get the page; the center's other
  roles are refused (403 or 404); the other center's staff never get it (404, or 403).
  Without a permission, any staff member gets the page (it shows their own centers).
- ``provider``: only a payment provider's signed call is taken; everybody else gets a 4xx.

A POST sends no form fields, except to a page that judges its form before the service
judges the person (then it sends a valid form, so that the refusal is the service's). A
person allowed to act gets the page's own answer (a page with the errors, a redirect, or a
domain error such as 400, 409 or 422), never a refusal (401, 403, 404, 405) nor a server
error.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import _get_new_csrf_string
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django import DjangoDbBlocker

from kakehashi.core.roles import GRANTS, Perm, Role
from tests.support.every_url import CENTER_ROLES, World, worlds_for_module

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response
else:
    Response = HttpResponse

# Patterns this suite does not visit, each with the reason.
SKIPPED_NAMESPACES = {
    # Django's admin checks its own permissions (tests/test_admin.py covers ours in it).
    "admin": "Django's admin",
    # The REST API authenticates with bearer tokens, not sessions; tests/test_api.py and
    # each app's test_api.py check who may call each endpoint.
    "api-v1": "the REST API",
}
SKIPPED_URLCONFS = {
    # Django's own language switch, shadowed by ours at the same address (set_language).
    "django.conf.urls.i18n": "Django's i18n views",
}

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"
PARTICIPANT = "participant"
OFFICE = "office"
PERSONAS = (
    ANONYMOUS,
    OUTSIDER,
    PARTICIPANT,
    OFFICE,
    *CENTER_ROLES,
    *(f"other_{role}" for role in CENTER_ROLES),
)
# A signed link opens its page whoever is signed in, so a link is tried by fewer people:
# its pages are mostly PDFs, which take a while to draw.
LINK_PERSONAS = (ANONYMOUS, OUTSIDER, PARTICIPANT, OFFICE, "other_registrar")


@dataclass(frozen=True)
class Access:
    """Who may see one page (see the module's docstring for each kind)."""

    kind: str
    perm: Perm | None = None
    method: str = "GET"
    # For ``link``: the World method that signs the link's token.
    token: str | None = None
    # URL keywords that differ from ``World.url_kwargs`` for this page.
    kwargs: tuple[tuple[str, str], ...] = ()
    # Form fields to POST, for a page that judges its form before the service judges the
    # person (``{account_id}`` and the like are filled in from the URL keywords).
    form: tuple[tuple[str, str], ...] = ()


def public(*, method: str = "GET") -> Access:
    return Access("public", method=method)


def link(token: str, *, method: str = "GET", **kwargs: str) -> Access:
    return Access("link", method=method, token=token, kwargs=tuple(kwargs.items()))


def account(*, method: str = "GET") -> Access:
    return Access("account", method=method)


def owner(*, method: str = "GET", **kwargs: str) -> Access:
    return Access("owner", method=method, kwargs=tuple(kwargs.items()))


def staff(
    perm: Perm | None = None,
    *,
    method: str = "GET",
    kwargs: tuple[tuple[str, str], ...] = (),
    form: dict[str, str] | None = None,
) -> Access:
    fields = tuple((form or {}).items())
    return Access("staff", perm=perm, method=method, kwargs=kwargs, form=fields)


POST = "POST"

# Every page, by URL name, and who may see it.
ACCESS: dict[str, Access] = {
    # --- the language switch and the account pages
    "set_language": public(method=POST),
    "accounts:account": account(),
    "accounts:signup": public(),
    "accounts:login": public(),
    "accounts:logout": public(method=POST),
    "accounts:language": account(method=POST),
    "accounts:send_verification": account(method=POST),
    "accounts:verify_email": link("email_token"),
    "accounts:password_change": account(),
    "accounts:password_reset": public(),
    "accounts:password_reset_done": public(),
    "accounts:password_reset_complete": public(),
    # Django's page answers a forged link with a page that says so (200), hence public.
    "accounts:password_reset_confirm": Access("public", kwargs=(("password_reset", ""),)),
    # --- the office: centers, the catalog, cohorts and admissions
    "office:overview": staff(),
    "office:search": staff(),
    "office:programs": staff(),
    "office:calendar": staff(),
    "office:teaching": staff(),
    "office:center": staff(Perm.VIEW_CENTER),
    "office:cohort-create": staff(Perm.MANAGE_COHORTS),
    "office:program-create": staff(Perm.MANAGE_PROGRAMS),
    "office:program-edit": staff(Perm.MANAGE_PROGRAMS),
    "office:program-completion": staff(Perm.MANAGE_PROGRAMS),
    "office:roster": staff(Perm.VIEW_ROSTER),
    "office:roster-csv": staff(Perm.VIEW_ROSTER),
    "office:cohort-edit": staff(Perm.MANAGE_COHORTS),
    "office:session-create": staff(Perm.MANAGE_COHORTS),
    "office:accept": staff(Perm.REVIEW, method=POST),
    "office:reject": staff(Perm.REVIEW, method=POST),
    "office:waitlist": staff(Perm.REVIEW, method=POST),
    "office:withdraw": staff(Perm.ENROLL_OTHERS, method=POST),
    # --- the office: teaching
    "office:center-sessions-today": staff(Perm.CORRECT_RECORDS),
    # Anyone who sees the roster sees the marks; marking them (a POST) needs Perm.TEACH.
    "office:session-attendance": staff(Perm.VIEW_ROSTER),
    "office:session-all-present": staff(Perm.TEACH, method=POST),
    "office:session-check-in": staff(Perm.TEACH),
    "office:session-check-in-code": staff(Perm.TEACH),
    "office:cohort-progress": staff(Perm.VIEW_ROSTER),
    "office:enrollment-result": staff(Perm.TEACH, method=POST),
    "office:enrollment-complete": staff(Perm.CERTIFY, method=POST),
    # --- the office: certificates
    # The cohort whose people have completed it.
    "office:cohort-certificates": staff(Perm.VIEW_ROSTER, kwargs=(("cohort_id", "second_cohort"),)),
    "office:certificate-run-start": staff(Perm.CERTIFY, method=POST),
    "office:certificate-run": staff(Perm.VIEW_ROSTER),
    "office:certificate": staff(Perm.VIEW_ROSTER),
    "office:certificate-revoke": staff(Perm.CERTIFY, method=POST),
    "office:certificate-pdf": staff(Perm.VIEW_ROSTER),
    # --- the office: payments
    "office:cohort-payments": staff(Perm.VIEW_ROSTER),
    # The ledger's forms are judged first: an empty one would answer 422 to anybody.
    "office:refund-rule": staff(Perm.TAKE_PAYMENTS, method=POST, form={"rule": "full"}),
    "office:record-payment": staff(
        Perm.TAKE_PAYMENTS,
        method=POST,
        form={"pay{account_id}-amount": "100", "pay{account_id}-method": "cash"},
    ),
    "office:grant-discount": staff(
        Perm.TAKE_PAYMENTS,
        method=POST,
        form={"discount{account_id}-amount": "100", "discount{account_id}-reason": "Hardship"},
    ),
    "office:refund": staff(
        Perm.TAKE_PAYMENTS,
        method=POST,
        form={"refund{entry_id}-amount": "100", "refund{entry_id}-reason": "Overpaid"},
    ),
    "office:refund-by-rule": staff(Perm.TAKE_PAYMENTS, method=POST),
    "office:payment-document": staff(Perm.VIEW_ROSTER),
    "office:ledger": staff(Perm.VIEW_LEDGER),
    "office:ledger-export": staff(Perm.VIEW_LEDGER),
    # --- checking a certificate, and what a verifier needs
    "credentials:verify-form": public(),
    "credentials:verify": public(),
    "credentials:jwks": public(),
    "credentials:revocations": public(),
    "credentials:issuer": public(),
    # --- calendar feeds, for calendar apps that cannot log in
    "calendar:participant": link("participant_feed_token"),
    "calendar:center": link("center_feed_token"),
    "calendar:instructor": link("instructor_feed_token"),
    # --- payment providers
    "stripe-webhook": Access("provider", method=POST),
    # --- the portal: the catalog and applying
    "portal:home": public(),
    "portal:program": public(),
    "portal:apply": public(),
    "portal:applied": link("result_token"),
    "portal:check-in": link("check_in_code"),
    # --- the portal: the participant's pages through their account
    "portal:my_programs": account(),
    "portal:my_action": owner(method=POST),
    "portal:my_certificates": account(),
    "portal:my_certificate_pdf": owner(),
    "portal:my_certificate_credential": owner(),
    "portal:my_transcript": owner(),
    "portal:my-payments": account(),
    "portal:my-pay-by-card": owner(method=POST),
    "portal:my-payment-document": owner(),
    # --- the portal: the same pages through the participant's signed link
    "portal:participant": link("participant_token"),
    "portal:participant_action": link("participant_token", method=POST),
    "portal:participant_certificates": link("participant_token"),
    "portal:participant_certificate_pdf": link("participant_token"),
    "portal:participant_certificate_credential": link("participant_token"),
    "portal:participant_transcript": link("participant_token"),
    "portal:participant-payments": link("participant_token"),
    "portal:participant-pay-by-card": link("participant_token", method=POST),
    "portal:participant-payment-document": link("participant_token"),
}


@dataclass(frozen=True)
class Page:
    name: str
    route: str
    keywords: tuple[str, ...]


def discover(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Page]:
    """Every URL pattern the resolver knows, named as ``reverse`` names it."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            if getattr(pattern.urlconf_name, "__name__", "") in SKIPPED_URLCONFS:
                continue
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from discover(pattern.url_patterns, route, inner)
        else:
            name = pattern.name or f"<unnamed {route}>"
            keywords = tuple(sorted(pattern.pattern.regex.groupindex))
            yield Page(f"{namespace}:{name}" if namespace else name, route, keywords)


PAGES = {page.name: page for page in discover()}


def test_every_url_pattern_has_a_name_of_its_own() -> None:
    """The table is keyed by URL name: two patterns under one name would share a row."""
    names = [page.name for page in discover()]
    shared = sorted({name for name in names if names.count(name) > 1})
    assert not shared, f"Give each of these patterns a name of its own: {', '.join(shared)}"


def test_every_url_pattern_is_classified() -> None:
    unclassified = sorted(
        f"{name} ({page.route})" for name, page in PAGES.items() if name not in ACCESS
    )
    assert not unclassified, (
        "Say who may see each new page: add it to ACCESS in tests/test_every_url.py "
        f"(public, link, account, owner, staff(Perm...)): {', '.join(unclassified)}"
    )
    stale = sorted(set(ACCESS) - set(PAGES))
    assert not stale, f"ACCESS names pages that no longer exist: {', '.join(stale)}"


# --- visiting ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    key_dir: Path = tmp_path_factory.mktemp("keys")
    for worlds in worlds_for_module(django_db_blocker, key_dir, {"net": 2}):
        yield worlds["net"]


def url_for(world: World, name: str, access: Access, *, forged: bool = False) -> str:
    page = PAGES[name]
    values = world.url_kwargs()
    for keyword, attribute in access.kwargs:
        if keyword == "password_reset":
            values.update(world.password_reset_kwargs())
        else:
            values[keyword] = getattr(world, attribute).pk
    if access.token is not None:
        token = "forged" if forged else getattr(world, access.token)()
        values["code" if "code" in page.keywords else "token"] = token
    return reverse(name, kwargs={key: values[key] for key in page.keywords})


def form_for(world: World, access: Access) -> dict[str, str]:
    keywords = world.url_kwargs()
    return {field.format(**keywords): value for field, value in access.form}


def visit(
    world: World, persona: str, method: str, url: str, form: dict[str, str] | None = None
) -> Response:
    """One request, whose changes are undone so that the next person finds the same data."""
    client = world.client(persona)
    with transaction.atomic():
        if method == POST:
            secret = _get_new_csrf_string()
            client.cookies[settings.CSRF_COOKIE_NAME] = secret
            response = client.post(url, {**(form or {}), "csrfmiddlewaretoken": secret})
        else:
            response = client.get(url)
        transaction.set_rollback(True)
    return response


def gets_the_page(status: int, method: str) -> bool:
    if method == POST:
        return status < 500 and status not in (401, 403, 404, 405)
    return 200 <= status < 400


def sent_to_login(response: Response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        resolve_url(settings.LOGIN_URL)
    )


def holds(persona: str, perm: Perm | None) -> bool:
    """Does ``persona`` hold ``perm`` at the page's center (any staff role, if None)?"""
    if persona == OFFICE:
        return True
    if persona in CENTER_ROLES:
        return perm is None or perm in GRANTS[Role(persona)]
    if persona.startswith("other_"):
        return perm is None  # their own centers' pages, never this center's records
    return False


def expectation(access: Access, persona: str) -> tuple[str, Callable[[Response], bool]]:
    """What ``persona`` should get from a page with ``access``, said and checked."""
    method = access.method

    def allowed(response: Response) -> bool:
        return gets_the_page(response.status_code, method)

    def refused(response: Response) -> bool:
        return response.status_code in (403, 404)

    if access.kind in ("public", "link"):
        return "the page", allowed
    if access.kind == "provider":
        return "a 4xx", lambda response: 400 <= response.status_code < 500
    if persona == ANONYMOUS:
        return "the login page", sent_to_login
    if access.kind == "account":
        return "the page", allowed
    if access.kind == "owner":
        return ("the page", allowed) if persona == PARTICIPANT else ("403 or 404", refused)
    assert access.kind == "staff", access.kind
    if persona in (OUTSIDER, PARTICIPANT):
        return "403", lambda response: response.status_code == 403
    if holds(persona, access.perm):
        return "the page", allowed
    return "403 or 404", refused


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_person_gets_only_the_pages_they_may_see(db: None, world: World, name: str) -> None:
    access = ACCESS[name]
    url = url_for(world, name, access)
    wrong = []
    for persona in LINK_PERSONAS if access.kind == "link" else PERSONAS:
        response = visit(world, persona, access.method, url, form_for(world, access))
        expected, check = expectation(access, persona)
        if not check(response):
            wrong.append(f"{persona} got {response.status_code}, expected {expected}")
    assert not wrong, f"{access.method} {url} ({name}): " + "; ".join(wrong)


@pytest.mark.parametrize("name", sorted(n for n, a in ACCESS.items() if a.kind == "link"))
def test_a_forged_link_opens_nothing(db: None, world: World, name: str) -> None:
    access = ACCESS[name]
    url = url_for(world, name, access, forged=True)
    response = visit(world, ANONYMOUS, access.method, url)
    assert not 200 <= response.status_code < 300, (
        f"{access.method} {url} gave {response.status_code}"
    )
