"""Programs (network-wide), cohorts (one run of a program at a center) and their sessions."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.network.models import Center, Network, Room


class Topic(models.TextChoices):
    PRODUCTION = "production", _("Production management")
    MARKETING = "marketing", _("Marketing")
    FINANCE = "finance", _("Finance and accounting")
    HR = "hr", _("Human resources")
    SMALL_BUSINESS = "small_business", _("Small-business management")
    LANGUAGE = "language", _("Japanese language")
    TRAINING_ABROAD = "training_abroad", _("Training in Japan")
    GENERAL = "general", _("General management")


class Audience(models.TextChoices):
    EXECUTIVES = "executives", _("Executives")
    ENTREPRENEURS = "entrepreneurs", _("Entrepreneurs")
    EVERYONE = "everyone", _("Executives and entrepreneurs")


class Program(models.Model):
    """A course in the network's catalog; centers run it as cohorts."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="programs", verbose_name=_("network")
    )
    slug = models.SlugField(_("short address"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    hours = models.PositiveIntegerField(_("hours of instruction"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["network", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="program_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Admission(models.TextChoices):
    REVIEW = "review", _("By review of applications")
    FIRST_COME = "first_come", _("First come, first served")


class Format(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In person and online")


# Seats are held by these enrollment states (kept here, beside capacity, so that the
# catalog can count them without importing admissions).
SEAT_HOLDING = ("offered", "enrolled", "completed")  # a completed participant used a seat


class CohortQuerySet(models.QuerySet["Cohort"]):
    def with_counts(self) -> "CohortQuerySet":
        """Annotate ``seats_held_count`` and ``waitlist_count``, counted from the facts."""
        return self.annotate(
            seats_held_count=Count(
                "enrollments", filter=Q(enrollments__status__in=SEAT_HOLDING), distinct=True
            ),
            waitlist_count=Count(
                "enrollments", filter=Q(enrollments__status="waitlisted"), distinct=True
            ),
        )


class Cohort(models.Model):
    """One run of a program at a center, with its own seats, fee and application window."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("program")
    )
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("center")
    )
    code = models.SlugField(_("code"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    capacity = models.PositiveIntegerField(_("seats"))
    fee = models.DecimalField(_("fee"), max_digits=12, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    language = models.CharField(_("language of instruction"), max_length=8, default="ru")
    format = models.CharField(
        _("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON
    )
    admission = models.CharField(
        _("admission"), max_length=16, choices=Admission.choices, default=Admission.FIRST_COME
    )
    applications_open_at = models.DateTimeField(_("applications open"), null=True, blank=True)
    applications_close_at = models.DateTimeField(_("applications close"), null=True, blank=True)
    offer_hours = models.PositiveIntegerField(_("hours an offer holds a seat"), default=72)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="cohort_unique_code"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="cohort_fee_not_negative"),
        ]
        indexes = [models.Index(fields=["center", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.program} — {self.center} ({self.starts_on:%Y-%m-%d})"

    @property
    def is_free(self) -> bool:
        return self.fee == 0

    def applications_open(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        if self.applications_open_at and at < self.applications_open_at:
            return False
        return not (self.applications_close_at and at >= self.applications_close_at)

    def offer_expiry(self, at: datetime.datetime | None = None) -> datetime.datetime:
        return (at or timezone.now()) + datetime.timedelta(hours=self.offer_hours)


class Session(models.Model):
    """One meeting of a cohort: when, where, who teaches, in person or online."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.ForeignKey(
        Room,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("room"),
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teaching_sessions",
        verbose_name=_("instructor"),
    )
    format = models.CharField(
        _("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON
    )
    online_url = models.URLField(_("online link"), blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        local = self.starts_at.astimezone(self.cohort.center.tzinfo)
        return f"{self.cohort.program} — {local:%Y-%m-%d %H:%M}"
