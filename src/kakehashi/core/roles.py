"""Roles and what each may do.

A membership gives a user one role, either at one center or network-wide (the network
office). The table below is the only place that says which role may do what; the checks
themselves live with the memberships in ``kakehashi.network.access``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("Network office")
    MANAGER = "manager", _("Center manager")
    REGISTRAR = "registrar", _("Registrar")
    INSTRUCTOR = "instructor", _("Instructor")
    FINANCE = "finance", _("Finance")
    VIEWER = "viewer", _("Viewer")


class Perm(models.TextChoices):
    VIEW_CENTER = "network.view_center", _("see a center, its catalog and cohorts")
    MANAGE_NETWORK = "network.manage", _("create centers and change their status")
    MANAGE_CENTER = "network.manage_center", _("edit a center's details and rooms")
    MANAGE_PROGRAMS = "catalog.manage_programs", _("edit the network's catalog of programs")
    MANAGE_COHORTS = "catalog.manage_cohorts", _("schedule cohorts and sessions")
    VIEW_ROSTER = "admissions.view_roster", _("see who applied and who is enrolled")
    REVIEW = "admissions.review", _("accept, reject and waitlist applications")
    ENROLL_OTHERS = "admissions.enroll_others", _("enroll or withdraw participants")
    TEACH = "delivery.teach", _("mark attendance and record results in one's own sessions")
    CORRECT_RECORDS = (
        "delivery.correct_records",
        _("correct attendance and results, and set completion rules"),
    )
    TAKE_PAYMENTS = (
        "payments.take_payments",
        _("record payments and refunds, and grant scholarships and discounts"),
    )
    VIEW_LEDGER = "payments.view_ledger", _("see and export a center's ledger")
    CERTIFY = "credentials.certify", _("complete participants and issue or revoke certificates")


_ALL_VIEW = {Perm.VIEW_CENTER, Perm.VIEW_ROSTER}
_REGISTRAR = _ALL_VIEW | {
    Perm.MANAGE_COHORTS,
    Perm.REVIEW,
    Perm.ENROLL_OTHERS,
    Perm.TEACH,
    Perm.CORRECT_RECORDS,
    Perm.CERTIFY,
    Perm.TAKE_PAYMENTS,
}

GRANTS: dict[Role, frozenset[Perm]] = {
    Role.OFFICE: frozenset(Perm),
    Role.MANAGER: frozenset(_REGISTRAR | {Perm.MANAGE_CENTER, Perm.VIEW_LEDGER}),
    Role.REGISTRAR: frozenset(_REGISTRAR),
    Role.INSTRUCTOR: frozenset(_ALL_VIEW | {Perm.TEACH}),
    Role.FINANCE: frozenset(_ALL_VIEW | {Perm.TAKE_PAYMENTS, Perm.VIEW_LEDGER}),
    Role.VIEWER: frozenset(_ALL_VIEW),
}


def role_grants(role: str, perm: str) -> bool:
    return perm in GRANTS.get(Role(role), frozenset())
