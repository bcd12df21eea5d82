"""The `kakehashi` command line."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from kakehashi import settings as project_settings
from kakehashi.core.models import ApiToken
from tests import factories


def test_token_create_prints_a_token_that_opens_the_api(registrar):
    out = StringIO()
    call_command("token", "create", registrar.username, stdout=out)
    raw = out.getvalue().strip()

    assert raw.startswith("kh_")
    assert ApiToken.objects.get(user=registrar).digest == ApiToken.digest_of(raw)
    assert raw not in ApiToken.objects.values_list("digest", flat=True)  # only a digest kept
    response = Client().get("/api/v1/centers", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_token_create_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("token", "create", "nobody")


def test_audit_verify_reports_every_chain(center):
    factories.apply(factories.make_cohort(center), 1)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert f"center:{center.pk}" in out.getvalue()
    assert "intact" in out.getvalue()


def test_failed_logins_are_throttled(db):
    user = factories.make_user("ivan")
    client = Client()
    for _attempt in range(5):
        client.post("/admin/login/", {"username": "ivan", "password": "wrong"})
    # Locked out now, even with the right password.
    response = client.post(
        "/admin/login/", {"username": "ivan", "password": "correct horse battery"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert user.is_active


def test_passwords_are_hashed_with_argon2(db, production_hashers):
    assert project_settings.PASSWORD_HASHERS[0].endswith(".Argon2PasswordHasher")
    user = factories.make_user("olga")
    assert user.password.startswith("argon2")
    assert user.check_password("correct horse battery")
