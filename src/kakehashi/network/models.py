"""Networks, their centers and rooms, and who works where (memberships)."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.core.roles import Role


def today() -> "datetime.date":
    return timezone.localdate()


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Network(models.Model):
    """An organisation that runs centers: the top of every record."""

    slug = models.SlugField(_("short address"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name


class CenterStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


# planned → operating → (suspended ↔ operating) → closing → closed
CENTER_TRANSITIONS: dict[str, frozenset[str]] = {
    CenterStatus.PLANNED: frozenset({CenterStatus.OPERATING, CenterStatus.CLOSED}),
    CenterStatus.OPERATING: frozenset({CenterStatus.SUSPENDED, CenterStatus.CLOSING}),
    CenterStatus.SUSPENDED: frozenset({CenterStatus.OPERATING, CenterStatus.CLOSING}),
    CenterStatus.CLOSING: frozenset({CenterStatus.CLOSED}),
    CenterStatus.CLOSED: frozenset(),
}


class Center(models.Model):
    """One center of a network, in one city, with its own time zone and lifecycle."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="centers", verbose_name=_("network")
    )
    slug = models.SlugField(_("short address"))
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CenterStatus.choices, default=CenterStatus.PLANNED
    )
    status_since = models.DateField(_("status since"), default=today)

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["network", "opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="center_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_read_only(self) -> bool:
        """A closed center's records stay readable but never change again."""
        return self.status == CenterStatus.CLOSED

    @property
    def accepts_applications(self) -> bool:
        return self.status == CenterStatus.OPERATING


class CenterStatusChange(models.Model):
    """One dated step of a center's lifecycle, kept forever."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("center")
    )
    from_status = models.CharField(
        _("previous status"), max_length=16, choices=CenterStatus.choices, blank=True
    )
    to_status = models.CharField(_("new status"), max_length=16, choices=CenterStatus.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("center status change")
        verbose_name_plural = _("center status changes")
        ordering = ["center", "effective_on", "pk"]

    def __str__(self) -> str:
        # The first change of a center has no previous status.
        before = self.get_from_status_display() or "∅"
        return f"{self.center}: {before} → {self.get_to_status_display()} ({self.effective_on})"


class Room(models.Model):
    """A room at a center where sessions take place."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("center")
    )
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="room_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.center} — {self.name}"


class Membership(models.Model):
    """A user's role at one center, or across the whole network when ``center`` is empty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    center = models.ForeignKey(
        Center,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("center"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "network", "center", "role"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(role=Role.OFFICE) | models.Q(center__isnull=True),
                name="membership_office_is_network_wide",
            ),
        ]

    def __str__(self) -> str:
        where = self.center or self.network
        return f"{self.user} — {self.get_role_display()} @ {where}"
