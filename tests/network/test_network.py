import datetime

import pytest

from kakehashi.admissions.services import ApplicationsClosed
from kakehashi.core.actors import StaffActor
from kakehashi.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from kakehashi.core.models import AuditEvent
from kakehashi.core.roles import Perm
from kakehashi.network import access, services
from kakehashi.network.models import CenterStatus
from kakehashi.network.services import CenterClosed
from tests import factories
from tests.factories import SYSTEM


def walk(center, *statuses: str):  # type: ignore[no-untyped-def]
    for status in statuses:
        center = services.change_center_status(actor=SYSTEM, center=center, to_status=status)
    return center


def test_a_center_moves_through_its_whole_lifecycle_with_dated_history(network):
    center = factories.make_center(network, "khabarovsk", status=CenterStatus.PLANNED)
    center = walk(center, "operating", "suspended", "operating", "closing", "closed")

    history = [(c.from_status, c.to_status) for c in center.status_changes.all()]
    assert history == [
        ("", "planned"),
        ("planned", "operating"),
        ("operating", "suspended"),
        ("suspended", "operating"),
        ("operating", "closing"),
        ("closing", "closed"),
    ]
    actions = AuditEvent.objects.filter(chain__key=f"center:{center.pk}").values_list(
        "action", flat=True
    )
    assert list(actions)[-1] == "network.center.closed"


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [((), "closed"), (("operating",), "planned"), (("operating", "closing"), "operating")],
)
def test_a_center_cannot_skip_or_reverse_its_lifecycle(network, path, forbidden):
    center = walk(factories.make_center(network, status=CenterStatus.PLANNED), *path)
    if forbidden == "closed" and not path:
        center = walk(center, "closed")  # planned → closed is allowed: a plan abandoned
        with pytest.raises(InvalidTransition, match="cannot become"):
            walk(center, "operating")
        return
    before = center.status
    with pytest.raises(InvalidTransition, match="cannot become"):
        walk(center, forbidden)
    center.refresh_from_db()
    assert center.status == before


def test_a_status_change_cannot_be_dated_before_the_previous_one(network):
    center = factories.make_center(network)
    with pytest.raises(InvalidInput) as error:
        services.change_center_status(
            actor=SYSTEM,
            center=center,
            to_status="suspended",
            effective_on=datetime.date(1990, 1, 1),
        )
    assert "effective_on" in error.value.fields
    center.refresh_from_db()
    assert center.status == "operating"


def test_a_closed_center_is_read_only_but_readable(network):
    center = factories.make_center(network)
    cohort = factories.make_cohort(center, capacity=2)
    enrolled = factories.apply(cohort, 1)
    walk(center, "closing", "closed")

    with pytest.raises(CenterClosed, match="closed"):
        factories.apply(cohort, 2)
    with pytest.raises(CenterClosed):
        services.add_room(actor=SYSTEM, center=center, name="Hall B")
    enrolled.refresh_from_db()
    assert enrolled.status == "enrolled"


def test_a_suspended_center_takes_no_applications(network):
    center = walk(factories.make_center(network), "suspended")
    cohort_center = walk(center, "operating")
    cohort = factories.make_cohort(cohort_center)
    walk(cohort_center, "suspended")
    with pytest.raises(ApplicationsClosed, match="not taking applications"):
        factories.apply(cohort, 1)


def test_an_unknown_time_zone_is_refused_by_name(network):
    with pytest.raises(InvalidInput, match="Mars/Olympus"):
        services.create_center(
            actor=SYSTEM,
            network=network,
            slug="mars",
            name={"en": "Mars"},
            city={"en": "Olympus"},
            timezone_name="Mars/Olympus",
        )


def test_names_need_english_and_accept_russian_and_japanese(network):
    with pytest.raises(InvalidInput, match="English"):
        services.create_center(
            actor=SYSTEM,
            network=network,
            slug="spb",
            name={"ru": "Санкт-Петербург"},
            city={"en": "Saint Petersburg"},
            timezone_name="Europe/Moscow",
        )
    center = services.create_center(
        actor=SYSTEM,
        network=network,
        slug="spb",
        name={"en": "Saint Petersburg", "ru": "Санкт-Петербург", "ja": "サンクトペテルブルク"},
        city={"en": "Saint Petersburg"},
        timezone_name="Europe/Moscow",
    )
    assert center.name_ja == "サンクトペテルブルク"


def test_only_the_network_office_changes_a_centers_status(center, registrar, office):
    with pytest.raises(PermissionDenied):
        services.change_center_status(
            actor=StaffActor(registrar), center=center, to_status="suspended"
        )
    services.change_center_status(actor=StaffActor(office), center=center, to_status="suspended")


def test_roles_reach_only_their_own_center(center, other_center, registrar, office, outsider):
    assert access.has_perm(registrar, Perm.REVIEW, network=center.network, center=center)
    assert not access.has_perm(registrar, Perm.REVIEW, network=center.network, center=other_center)
    assert set(access.centers_visible_to(registrar)) == {center}
    assert set(access.centers_visible_to(office)) == {center, other_center}
    assert list(access.centers_visible_to(outsider)) == []


def test_an_inactive_user_has_no_roles(center, registrar):
    registrar.is_active = False
    registrar.save()
    assert not access.has_perm(registrar, Perm.VIEW_CENTER, network=center.network, center=center)
    assert list(access.centers_visible_to(registrar)) == []


def test_a_role_at_a_center_of_another_network_is_refused_and_never_opens_it(network, center):
    from kakehashi.core.models import User

    elsewhere = factories.make_network("elsewhere")
    foreign = factories.make_center(elsewhere, "foreign")
    user = User.objects.create_user("drifter")
    with pytest.raises(InvalidInput, match="not a center of"):
        services.grant_role(
            actor=SYSTEM, user=user, network=network, role="registrar", center=foreign
        )
    # Even a membership written around the service opens nothing across networks.
    from kakehashi.network.models import Membership

    Membership.objects.create(user=user, network=network, center=foreign, role="registrar")
    assert list(access.centers_visible_to(user)) == []


def test_a_granted_role_takes_effect_at_once(center, network):
    from kakehashi.core.models import User

    user = User.objects.create_user("newcomer")
    assert not access.has_perm(user, Perm.REVIEW, network=network, center=center)
    services.grant_role(actor=SYSTEM, user=user, network=network, role="registrar", center=center)
    assert access.has_perm(user, Perm.REVIEW, network=network, center=center)


def test_a_center_recorded_years_later_opens_on_its_real_date(network):
    center = services.create_center(
        actor=SYSTEM,
        network=network,
        slug="khabarovsk",
        name={"en": "Khabarovsk"},
        city={"en": "Khabarovsk"},
        timezone_name="Asia/Vladivostok",
        opened_on=datetime.date(1994, 11, 1),
    )
    center = services.change_center_status(
        actor=SYSTEM, center=center, to_status="operating", effective_on=datetime.date(1994, 11, 1)
    )
    assert center.status_since == datetime.date(1994, 11, 1)


def test_a_managers_correction_of_a_centers_details_is_audited(center, network):
    from kakehashi.core.models import User

    manager = User.objects.create_user("manager")
    services.grant_role(actor=SYSTEM, user=manager, network=network, role="manager", center=center)
    center = services.update_center(
        actor=StaffActor(manager),
        center=center,
        name={"ja": "モスクワ日本センター"},
        timezone_name="Europe/Samara",
    )
    center.refresh_from_db()
    assert (center.name_en, center.name_ja) == ("Center moscow", "モスクワ日本センター")
    assert center.timezone == "Europe/Samara"
    event = AuditEvent.objects.filter(action="network.center.changed").get()
    assert event.data["after"]["timezone"] == "Europe/Samara"


def test_changing_nothing_writes_nothing(center):
    before = AuditEvent.objects.count()
    services.update_center(actor=SYSTEM, center=center, name={"en": center.name_en})
    assert AuditEvent.objects.count() == before


def test_other_centers_staff_cannot_correct_a_center(center, other_registrar):
    with pytest.raises(PermissionDenied):
        services.update_center(
            actor=StaffActor(other_registrar), center=center, name={"en": "Hijacked"}
        )
    center.refresh_from_db()
    assert center.name_en == "Center moscow"


def test_a_revoked_role_stops_working_at_once(center, network, registrar):
    from kakehashi.network.models import Membership

    membership = Membership.objects.get(user=registrar)
    assert access.has_perm(registrar, Perm.REVIEW, network=network, center=center)
    services.revoke_role(actor=SYSTEM, membership=membership)
    # Roles are read once per user object, i.e. once per request; the next request sees it.
    registrar = type(registrar).objects.get(pk=registrar.pk)
    assert not access.has_perm(registrar, Perm.REVIEW, network=network, center=center)
    assert AuditEvent.objects.filter(action="network.membership.revoked").exists()
