"""Participants and their enrollments in cohorts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.catalog.models import SEAT_HOLDING, Cohort
from kakehashi.network.models import Network


class Participant(models.Model):
    """A person who applies to programs; known by email within a network."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="participants", verbose_name=_("network")
    )
    email = models.EmailField(_("email"))
    full_name = models.CharField(_("full name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # The language the person applied in: mail sent later, by a background job with no
    # request to ask, is written in it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "email"], name="participant_unique_email"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"


class Status(models.TextChoices):
    APPLIED = "applied", _("Applied")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Offered a seat")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Not accepted")
    DECLINED = "declined", _("Declined the offer")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Offer expired")
    CANCELLED = "cancelled", _("Cancelled")


# A live enrollment still means something for the cohort; a participant has at most one.
LIVE = (Status.APPLIED, Status.WAITLISTED, Status.OFFERED, Status.ENROLLED, Status.COMPLETED)
assert set(SEAT_HOLDING) == {Status.OFFERED, Status.ENROLLED, Status.COMPLETED}


class Enrollment(models.Model):
    """A participant's place (or wish for one) in a cohort, through its whole lifecycle.

    applied → offered → enrolled → completed, with waitlisted, rejected, declined,
    withdrawn, expired (an offer not taken in time) and cancelled (by a closure).
    """

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("cohort")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("participant"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    motivation = models.TextField(_("motivation"), blank=True)
    created_at = models.DateTimeField(_("applied at"), default=timezone.now, editable=False)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    # Set when the person joins the waiting list; the order of the list is (waitlisted_at, pk).
    waitlisted_at = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["cohort", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "participant"],
                condition=Q(status__in=LIVE),
                name="enrollment_one_live_per_participant",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status", "waitlisted_at"]),
            models.Index(fields=["status", "offer_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.participant.full_name} — {self.cohort} ({self.get_status_display()})"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def is_live(self) -> bool:
        return self.status in LIVE
