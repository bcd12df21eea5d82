"""The account pages: sign up, confirm the address, log in and out, reset the password,
choose a language. Forms are posted with a client that enforces CSRF, as a visitor would."""

import base64
import datetime
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from huey.contrib.djhuey import HUEY

from kakehashi.core.models import OutgoingEmail, User
from tests import factories

PASSWORD = "correct horse battery"  # what factories.make_user gives everyone
NEW_PASSWORD = "a quite different secret 42"
LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    # The mail throttle lives in the cache, which outlives each test's database rollback;
    # and a request leaves its language active in the thread.
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()


@pytest.fixture
def visitor() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def anna(db: None) -> User:
    return factories.make_user("anna", first_name="Anna", last_name="Petrova")


def submit(client: Client, path: str, data: dict[str, str], *, form_page: str | None = None) -> Any:
    """Open the page that holds the form (for its CSRF cookie), then post the form."""
    client.get(form_page or path)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def log_in(client: Client, username: str, password: str = PASSWORD, next: str = "") -> Any:
    path = "/accounts/login/" + (f"?next={next}" if next else "")
    return submit(client, path, {"username": username, "password": password})


def logged_in_user(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def link_in(mail_body: str) -> str:
    """The path of the one link in a mail."""
    links = LINK.findall(mail_body)
    assert len(links) == 1, mail_body
    return urlsplit(links[0]).path


def sign_up(client: Client, **fields: str) -> Any:
    data = {
        "full_name": "Юлия Смирнова",
        "email": "Yulia.Smirnova@Example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    } | fields
    return submit(client, "/accounts/signup/", data)


# --- signing up and confirming the address -----------------------------------------------------


def test_signing_up_creates_an_argon2_account_and_mails_a_link_that_confirms_the_address(
    db: None, production_hashers: None, visitor: Client
) -> None:
    response = sign_up(visitor)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    user = User.objects.get(email="yulia.smirnova@example.org")
    assert user.username == "yulia.smirnova@example.org"
    assert user.get_full_name() == "Юлия Смирнова"
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)
    assert user.email_verified_at is None
    assert logged_in_user(visitor) == user.pk

    (verification,) = OutgoingEmail.objects.filter(to=user.email)
    assert "Confirm your email address" in verification.subject
    account_page = visitor.get("/accounts/").content.decode()
    assert "Not confirmed yet" in account_page

    # Opened anywhere, even without logging in: the link itself is the proof.
    confirmed = Client().get(link_in(verification.body))

    assert confirmed.status_code == 200
    assert "Your address is confirmed" in confirmed.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert "Not confirmed yet" not in visitor.get("/accounts/").content.decode()


def test_signing_up_honours_a_safe_next(db: None, visitor: Client) -> None:
    response = submit(
        visitor,
        "/accounts/signup/?next=/programs/",
        {
            "full_name": "Ivan",
            "email": "ivan@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/programs/"


def test_signing_up_on_a_japanese_page_remembers_japanese(db: None, visitor: Client) -> None:
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"

    sign_up(visitor)

    assert User.objects.get(email="yulia.smirnova@example.org").preferred_language == "ja"


@pytest.mark.django_db(transaction=True)
def test_the_verification_mail_leaves_only_after_the_account_is_committed(
    visitor: Client,
) -> None:
    HUEY.immediate = True
    try:
        sign_up(visitor)
    finally:
        HUEY.immediate = False

    (sent,) = mail.outbox
    assert sent.to == ["yulia.smirnova@example.org"]
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def test_a_duplicate_email_is_refused_beside_the_field(anna: User, visitor: Client) -> None:
    response = sign_up(visitor, email="ANNA@example.org")

    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(r'<div class="error" id="id_email_error">(.*?)</div>', html, re.S)
    assert error is not None and "already exists" in error.group(1)
    email_input = re.search(r"<input[^>]*name=\"email\"[^>]*>", html)
    assert email_input is not None
    assert 'aria-invalid="true"' in email_input.group(0)
    assert 'aria-describedby="id_email_helptext id_email_error"' in email_input.group(0)
    assert User.objects.count() == 1
    assert not OutgoingEmail.objects.exists()


def test_two_different_passwords_are_refused_beside_the_second(db: None, visitor: Client) -> None:
    response = sign_up(visitor, password2="something else entirely")

    html = response.content.decode()
    assert 'id="id_password2_error"' in html
    assert "The two passwords differ." in html
    assert not User.objects.exists()


def test_a_tampered_verification_link_is_refused_with_a_clear_message(
    db: None, visitor: Client
) -> None:
    sign_up(visitor)
    path = link_in(OutgoingEmail.objects.get().body)
    tampered = path[:-2] + ("A" if path[-2] != "A" else "B") + "/"

    response = visitor.get(tampered)

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert User.objects.get().email_verified_at is None


def test_an_expired_verification_link_is_refused_with_a_clear_message(
    db: None, visitor: Client
) -> None:
    sign_up(visitor)
    path = link_in(OutgoingEmail.objects.get().body)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, minutes=1)):
        response = visitor.get(path)

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert User.objects.get().email_verified_at is None


def test_the_link_can_be_sent_again_but_not_twice_a_minute(anna: User, visitor: Client) -> None:
    log_in(visitor, "anna")

    again = submit(visitor, "/accounts/verify/again/", {}, form_page="/accounts/")
    too_soon = submit(visitor, "/accounts/verify/again/", {}, form_page="/accounts/")

    assert again.status_code == too_soon.status_code == 302
    assert OutgoingEmail.objects.filter(to="anna@example.org").count() == 1
    assert "less than a minute ago" in visitor.get("/accounts/").content.decode()
    Client().get(link_in(OutgoingEmail.objects.get().body))
    anna.refresh_from_db()
    assert anna.email_verified_at is not None


# --- logging in and out ------------------------------------------------------------------------


def test_logging_in_by_email_goes_to_a_safe_next(anna: User, visitor: Client) -> None:
    response = log_in(visitor, "Anna@Example.org", next="/programs/?page=2")

    assert response.status_code == 302
    assert response["Location"] == "/programs/?page=2"
    assert logged_in_user(visitor) == anna.pk


def test_logging_in_by_username_works_too(anna: User, visitor: Client) -> None:
    response = log_in(visitor, "anna")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user(visitor) == anna.pk


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "https:///evil.example"]
)
def test_an_unsafe_next_is_ignored(anna: User, visitor: Client, unsafe: str) -> None:
    response = log_in(visitor, "anna@example.org", next=unsafe)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user(visitor) == anna.pk


def test_a_wrong_password_says_so_and_logs_nobody_in(anna: User, visitor: Client) -> None:
    response = log_in(visitor, "anna@example.org", "not the password")

    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert logged_in_user(visitor) is None


def test_logging_in_without_the_csrf_token_is_refused(anna: User, visitor: Client) -> None:
    response = visitor.post("/accounts/login/", {"username": "anna", "password": PASSWORD})

    assert response.status_code == 403
    assert logged_in_user(visitor) is None


def test_five_wrong_passwords_lock_the_account_and_the_right_one_then_fails(
    anna: User, visitor: Client
) -> None:
    for _attempt in range(4):
        assert log_in(visitor, "anna@example.org", "wrong").status_code == 200

    fifth = log_in(visitor, "ANNA@example.org", "wrong")  # any spelling counts against Anna
    right = log_in(visitor, "anna", PASSWORD)

    for response in (fifth, right):
        html = response.content.decode()
        assert response.status_code == 429
        assert "Too many failed attempts to log in" in html
        assert "for 1 hour" in html
        assert html.count("<h1>") == 1  # the whole page, not axes' bare text
    assert logged_in_user(visitor) is None


def test_a_locked_out_person_reads_the_lockout_in_their_language(
    anna: User, visitor: Client
) -> None:
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    for _attempt in range(5):
        response = log_in(visitor, "anna", "wrong")

    assert response.status_code == 429
    assert '<html lang="ja">' in response.content.decode()


def test_logging_out_needs_a_post(anna: User, visitor: Client) -> None:
    log_in(visitor, "anna")

    asked = visitor.get("/accounts/logout/")

    assert asked.status_code == 200
    assert 'action="/accounts/logout/"' in asked.content.decode()
    assert logged_in_user(visitor) == anna.pk

    done = submit(visitor, "/accounts/logout/", {}, form_page="/accounts/")

    assert done.status_code == 302
    assert done["Location"] == "/"
    assert logged_in_user(visitor) is None
    assert visitor.get("/accounts/")["Location"] == "/accounts/login/?next=/accounts/"


def test_the_navigation_offers_log_in_and_sign_up_or_the_account_and_log_out(
    anna: User, visitor: Client
) -> None:
    anonymous = visitor.get("/accounts/password/reset/").content.decode()
    assert 'href="/accounts/login/"' in anonymous
    assert 'href="/accounts/signup/"' in anonymous
    assert "/accounts/logout/" not in anonymous

    log_in(visitor, "anna")
    member = visitor.get("/accounts/password/").content.decode()
    assert 'href="/accounts/"' in member
    assert '<form method="post" action="/accounts/logout/">' in member
    assert "/accounts/login/" not in member


def test_the_log_in_link_of_any_other_page_comes_back_to_it(db: None) -> None:
    request = RequestFactory().get("/programs/", {"city": "Хабаровск"})
    request.user = AnonymousUser()

    html = render_to_string("core/base.html", request=request)

    assert 'href="/accounts/login/?next=/programs/%3Fcity%3D%25D0%25A5' in html
    assert 'href="/accounts/signup/?next=/programs/%3Fcity%3D' in html


# --- passwords ---------------------------------------------------------------------------------


def test_password_reset_mails_a_link_that_sets_a_new_password(anna: User, visitor: Client) -> None:
    asked = submit(visitor, "/accounts/password/reset/", {"email": "anna@example.org"})

    assert asked.status_code == 302
    assert asked["Location"] == "/accounts/password/reset/sent/"
    (reset,) = OutgoingEmail.objects.filter(to="anna@example.org")
    assert "Set a new password" in reset.subject
    assert "Your username is anna." in reset.body

    opened = visitor.get(link_in(reset.body))
    assert opened.status_code == 302  # to a URL without the token, which stays in the session
    saved = submit(
        visitor,
        opened["Location"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert saved.status_code == 302
    assert saved["Location"] == "/accounts/password/reset/done/"
    assert log_in(Client(enforce_csrf_checks=True), "anna", PASSWORD).status_code == 200
    fresh = Client(enforce_csrf_checks=True)
    assert log_in(fresh, "anna@example.org", NEW_PASSWORD).status_code == 302
    assert logged_in_user(fresh) == anna.pk
    # The link reached the address, so the address is confirmed too; and it works once.
    anna.refresh_from_db()
    assert anna.email_verified_at is not None
    assert "This link no longer works" in visitor.get(link_in(reset.body)).content.decode()


def test_password_reset_for_an_unknown_address_looks_the_same_and_mails_nothing(
    anna: User, visitor: Client
) -> None:
    known = submit(visitor, "/accounts/password/reset/", {"email": "anna@example.org"})
    unknown = submit(
        Client(enforce_csrf_checks=True),
        "/accounts/password/reset/",
        {"email": "nobody@example.org"},
    )

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert not OutgoingEmail.objects.filter(to="nobody@example.org").exists()
    assert OutgoingEmail.objects.count() == 1


def test_asking_twice_a_minute_for_a_reset_mails_once(anna: User, visitor: Client) -> None:
    for _ask in range(2):
        submit(visitor, "/accounts/password/reset/", {"email": "anna@example.org"})

    assert OutgoingEmail.objects.filter(to="anna@example.org").count() == 1


def test_a_new_password_from_the_mail_lifts_a_lockout(anna: User, visitor: Client) -> None:
    for _attempt in range(5):
        log_in(visitor, "anna", "wrong")
    assert log_in(visitor, "anna").status_code == 429

    submit(visitor, "/accounts/password/reset/", {"email": "anna@example.org"})
    opened = visitor.get(link_in(OutgoingEmail.objects.get().body))
    submit(
        visitor,
        opened["Location"],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert log_in(visitor, "anna", NEW_PASSWORD).status_code == 302


def test_changing_the_password_needs_the_current_one(anna: User, visitor: Client) -> None:
    log_in(visitor, "anna")
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}

    refused = submit(visitor, "/accounts/password/", {"old_password": "wrong", **data})
    changed = submit(visitor, "/accounts/password/", {"old_password": PASSWORD, **data})

    assert refused.status_code == 200
    assert 'id="id_old_password_error"' in refused.content.decode()
    assert changed.status_code == 302
    assert changed["Location"] == "/accounts/"
    anna.refresh_from_db()
    assert anna.check_password(NEW_PASSWORD)
    assert logged_in_user(visitor) == anna.pk  # this session stays logged in


# --- language ----------------------------------------------------------------------------------


def test_choosing_japanese_saves_it_and_the_next_page_is_in_japanese(
    anna: User, visitor: Client
) -> None:
    log_in(visitor, "anna")

    response = submit(visitor, "/accounts/language/", {"language": "ja"}, form_page="/accounts/")

    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.preferred_language == "ja"
    assert '<html lang="ja">' in visitor.get(response["Location"]).content.decode()
    assert '<html lang="ja">' in visitor.get("/accounts/password/").content.decode()


def test_logging_in_brings_back_the_chosen_language(db: None, visitor: Client) -> None:
    factories.make_user("ivan", preferred_language="ru")

    response = log_in(visitor, "ivan")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert '<html lang="ru">' in visitor.get("/accounts/").content.decode()


def test_choosing_the_browsers_language_forgets_the_choice(anna: User, visitor: Client) -> None:
    log_in(visitor, "anna")
    submit(visitor, "/accounts/language/", {"language": "ja"}, form_page="/accounts/")

    submit(visitor, "/accounts/language/", {"language": ""}, form_page="/accounts/")

    anna.refresh_from_db()
    assert anna.preferred_language == ""
    html = visitor.get("/accounts/", headers={"Accept-Language": "ru"}).content.decode()
    assert '<html lang="ru">' in html


def test_an_unknown_language_is_refused_and_changes_nothing(anna: User, visitor: Client) -> None:
    log_in(visitor, "anna")

    response = submit(visitor, "/accounts/language/", {"language": "xx"}, form_page="/accounts/")

    assert response.status_code == 400
    assert 'id="id_language_error"' in response.content.decode()
    anna.refresh_from_db()
    assert anna.preferred_language == ""


def test_the_account_page_needs_a_login(db: None, visitor: Client) -> None:
    response = visitor.get("/accounts/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/"


def test_every_account_page_has_one_heading(anna: User, visitor: Client) -> None:
    anonymous = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    for path in anonymous:
        assert visitor.get(path).content.decode().count("<h1>") == 1, path
    log_in(visitor, "anna")
    for path in ["/accounts/", "/accounts/password/", "/accounts/logout/"]:
        assert visitor.get(path).content.decode().count("<h1>") == 1, path


def test_a_logged_in_visitor_sent_back_to_the_log_in_page_goes_home(
    anna: User, visitor: Client
) -> None:
    log_in(visitor, "anna")

    response = visitor.get("/accounts/login/?next=/accounts/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_verification_link_does_not_show_the_address(db: None, visitor: Client) -> None:
    sign_up(visitor)

    body = OutgoingEmail.objects.get().body
    token = link_in(body).rstrip("/").rsplit("/", 1)[1]
    payload = token.split(":")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "example.org" not in decoded


# --- in a browser: accessible, and usable on a phone ---------------------------------------------


def test_the_header_language_switch_is_remembered_on_the_account(db: None) -> None:
    user = factories.make_user("polyglot")
    client = Client()
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "ja", "next": "/office/"})

    assert response.status_code == 302
    assert response["Location"] == "/office/"
    user.refresh_from_db()
    assert user.preferred_language == "ja"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"


def test_the_header_language_switch_still_works_without_an_account(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
