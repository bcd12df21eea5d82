"""The audited services behind accounts and API tokens: each change is recorded in the
account's own chain, names who acted, and never holds a secret."""

import json

import pytest
from django.core import signing
from django.test import Client

from kakehashi.core import audit
from kakehashi.core.actors import StaffActor, SystemActor
from kakehashi.core.errors import InvalidInput, PermissionDenied
from kakehashi.core.models import ApiToken, AuditEvent, User
from kakehashi.core.services import accounts, tokens
from kakehashi.payments.services import claim_webhook_event
from kakehashi.payments.webhooks import PROVIDER, WEBHOOK
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unguessable sentence"


def account_events(user: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(chain__key=audit.chain_key_for_account(user.pk)).order_by("seq")
    )


def no_secret_in(events: list[AuditEvent], *secrets: str) -> bool:
    stored = json.dumps([[event.data, event.actor_label] for event in events])
    return not any(secret in stored for secret in secrets)


def sign_up(email: str = "anna@example.org") -> User:
    return accounts.create_account(
        actor=SystemActor("accounts.sign_up"),
        full_name="Anna Petrova",
        email=email,
        password=PASSWORD,
        language="ru",
        absolute_url=lambda path: f"https://kakehashi.example{path}",
    )


def test_signing_up_is_recorded_in_the_accounts_own_chain_without_the_password() -> None:
    user = sign_up()
    events = account_events(user)
    assert [event.action for event in events] == ["core.account.created"]
    assert events[0].actor_label == "system:accounts.sign_up"
    assert no_secret_in(events, PASSWORD, user.password)


def test_a_second_sign_up_with_the_same_address_is_refused() -> None:
    sign_up()
    with pytest.raises(accounts.EmailTaken):
        sign_up()
    assert User.objects.filter(email="anna@example.org").count() == 1


def test_confirming_the_address_is_recorded_once_without_the_link() -> None:
    user = sign_up()
    token = signing.dumps(
        [user.pk, accounts._address_digest(user.email)], salt=accounts.VERIFY_EMAIL_SALT
    )
    for _opened in range(2):
        accounts.verify_email(actor=SystemActor("accounts.verify_email"), token=token)
    user.refresh_from_db()
    events = account_events(user)
    assert user.email_verified_at is not None
    assert [event.action for event in events].count("core.account.email_verified") == 1
    assert no_secret_in(events, token)


def test_a_tampered_link_confirms_nothing() -> None:
    with pytest.raises(accounts.VerificationLinkInvalid):
        accounts.verify_email(actor=SystemActor("accounts.verify_email"), token="forged")


def test_choosing_a_language_records_the_old_and_the_new_one() -> None:
    user = make_user("anna", preferred_language="en")
    accounts.choose_language(actor=StaffActor(user), user=user, language="ja")
    user.refresh_from_db()
    (event,) = account_events(user)
    assert user.preferred_language == "ja"
    assert (event.action, event.data, event.actor_label) == (
        "core.account.language_chosen",
        {"from": "en", "to": "ja"},
        "anna",
    )


def test_choosing_the_same_language_again_records_nothing() -> None:
    user = make_user("anna", preferred_language="ja")
    accounts.choose_language(actor=StaffActor(user), user=user, language="ja")
    assert account_events(user) == []


def test_nobody_chooses_a_language_for_someone_else() -> None:
    anna, boris = make_user("anna"), make_user("boris")
    with pytest.raises(PermissionDenied):
        accounts.choose_language(actor=StaffActor(boris), user=anna, language="ja")
    anna.refresh_from_db()
    assert anna.preferred_language == ""


def test_an_unknown_language_is_refused_naming_the_field() -> None:
    user = make_user("anna")
    with pytest.raises(InvalidInput) as refused:
        accounts.choose_language(actor=StaffActor(user), user=user, language="xx")
    assert "language" in refused.value.fields


def test_changing_the_password_is_recorded_without_the_password() -> None:
    user = make_user("anna")
    accounts.change_password(actor=StaffActor(user), user=user, password=PASSWORD)
    user.refresh_from_db()
    events = account_events(user)
    assert user.check_password(PASSWORD)
    assert [event.action for event in events] == ["core.account.password_changed"]
    assert no_secret_in(events, PASSWORD, user.password)


def test_a_password_set_from_a_reset_link_also_proves_the_address() -> None:
    user = make_user("anna")
    accounts.set_password_after_reset(
        actor=SystemActor("accounts.password_reset"), user=user, password=PASSWORD
    )
    user.refresh_from_db()
    (event,) = account_events(user)
    assert user.check_password(PASSWORD) and user.email_verified_at is not None
    assert (event.action, event.data) == ("core.account.password_reset", {"email_verified": True})


def test_changing_the_password_on_the_page_is_recorded() -> None:
    user = make_user("anna")
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert [event.action for event in account_events(user)] == ["core.account.password_changed"]


def test_issuing_a_token_is_recorded_without_the_token() -> None:
    user = make_user("anna")
    token, raw = tokens.issue_api_token(actor=SystemActor("command.token_create"), user=user)
    events = account_events(user)
    assert tokens.user_for_token(raw) == user
    assert [event.action for event in events] == ["core.api_token.issued"]
    assert no_secret_in(events, raw, token.digest)


def test_a_revoked_token_stops_working_and_cannot_be_revoked_twice() -> None:
    user = make_user("anna")
    token, raw = tokens.issue_api_token(actor=StaffActor(user), user=user)
    tokens.revoke_api_token(actor=StaffActor(user), token=token)
    assert tokens.user_for_token(raw) is None
    with pytest.raises(tokens.TokenRevoked):
        tokens.revoke_api_token(actor=StaffActor(user), token=token)
    assert [event.action for event in account_events(user)][-1] == "core.api_token.revoked"


def test_nobody_revokes_someone_elses_token() -> None:
    anna, boris = make_user("anna"), make_user("boris")
    token, _raw = tokens.issue_api_token(actor=StaffActor(anna), user=anna)
    with pytest.raises(PermissionDenied):
        tokens.revoke_api_token(actor=StaffActor(boris), token=token)
    assert ApiToken.objects.active().filter(pk=token.pk).exists()


def test_the_admin_revokes_tokens_through_the_service() -> None:
    root = make_user("root", is_staff=True, is_superuser=True)
    token, _raw = tokens.issue_api_token(actor=StaffActor(root), user=make_user("anna"))
    client = Client()
    client.force_login(root)
    response = client.post(
        "/admin/core/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="core.api_token.revoked").count() == 1


def test_the_admin_sets_a_password_through_the_service() -> None:
    root = make_user("root", is_staff=True, is_superuser=True)
    anna = make_user("anna")
    client = Client()
    client.force_login(root)
    response = client.post(
        f"/admin/core/user/{anna.pk}/password/",
        {"set_usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content
    anna.refresh_from_db()
    (event,) = account_events(anna)
    assert anna.check_password(PASSWORD)
    assert (event.action, event.actor_label) == ("core.account.password_set", "root")


def test_a_webhook_event_is_claimed_once() -> None:
    claims = [
        claim_webhook_event(
            actor=WEBHOOK,
            provider=PROVIDER,
            event_id="evt_1",
            event_type="charge.refunded",
            account=None,
        )
        for _delivery in range(2)
    ]
    assert claims == [True, False]
    assert AuditEvent.objects.filter(action="payments.webhook_event.claimed").count() == 1


def test_the_admin_adds_an_account_through_the_service() -> None:
    root = make_user("root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    response = client.post(
        "/admin/core/user/add/",
        {
            "username": "boris",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content
    boris = User.objects.get(username="boris")
    (event,) = account_events(boris)
    assert boris.check_password(PASSWORD)
    assert (event.action, event.actor_label) == ("core.account.added", "root")
    assert no_secret_in([event], PASSWORD, boris.password)


def test_the_admin_deletes_no_account() -> None:
    root = make_user("root", is_staff=True, is_superuser=True)
    anna = make_user("anna")
    client = Client()
    client.force_login(root)
    response = client.post(f"/admin/core/user/{anna.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=anna.pk).exists()


def test_only_the_network_office_saves_an_account_in_the_admin() -> None:
    clerk, anna = make_user("clerk", is_staff=True), make_user("anna")
    anna.first_name = "Someone else"
    with pytest.raises(PermissionDenied):
        accounts.save_account_from_admin(
            actor=StaffActor(clerk), user=anna, created=False, changed=["first_name"]
        )
    anna.refresh_from_db()
    assert anna.first_name == ""
