"""Certificates of completion, the keys that sign them, and the runs that issue them."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kakehashi.admissions.models import Enrollment
from kakehashi.catalog.models import Cohort
from kakehashi.network.models import Center, Network


class SigningKey(models.Model):
    """An Ed25519 key a network signs its certificates with.

    The public half is stored here and published for ever (retired keys too, so that what
    they signed keeps verifying); the private half is the file ``<KAKEHASHI_KEY_DIR>/<kid>.pem``
    and never enters the database. ``issuer`` is the issuer id the key signs for, fixed
    when the key is made, so that moving the site to another address never changes what
    an old certificate's key vouches for. A network has at most one active key.
    """

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="signing_keys", verbose_name=_("network")
    )
    kid = models.CharField(_("key id"), max_length=64, unique=True)
    public_jwk = models.JSONField(_("public key (JWK)"))
    issuer = models.CharField(_("issuer id"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["network", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["network"],
                condition=Q(retired_at__isnull=True),
                name="signing_key_one_active_per_network",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network} — {self.kid}"

    @property
    def private_key_path(self) -> Path:
        return Path(settings.KAKEHASHI_KEY_DIR) / f"{self.kid}.pem"


# What may change on a certificate once it is issued: its revocation, and the PDF filled in
# once. Everything it states lives in the signed credential and never changes.
CERTIFICATE_MUTABLE_FIELDS = frozenset({"revoked_at", "revocation_reason", "revoked_by", "pdf"})


class Certificate(models.Model):
    """The certificate of a completed enrollment: exactly one per completion.

    ``credential`` (an Open Badges 3.0 credential signed as a compact JWS) is the source of
    truth for every fact the certificate states; the other columns index it. A certificate
    never changes, except to be revoked and to have its PDF stored once rendered.
    """

    enrollment = models.OneToOneField(
        Enrollment,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("enrollment"),
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("network")
    )
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("center")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    credential = models.TextField(_("signed credential"))
    key = models.ForeignKey(
        SigningKey,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("signing key"),
    )
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["issued_at", "pk"]
        indexes = [models.Index(fields=["network", "revoked_at"])]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A certificate is written whole once; afterwards only its revocation and its PDF.
        fields: Iterable[str] | None = kwargs.get("update_fields")
        if (
            self.pk is not None
            and not kwargs.get("force_insert")
            and (fields is None or not set(fields) <= CERTIFICATE_MUTABLE_FIELDS)
        ):
            raise ValueError("A certificate is immutable: only revocation and its PDF change.")
        super().save(*args, **kwargs)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RunState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Stopped by an error")


ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.RUNNING)


class CertificateRun(models.Model):
    """One request to complete a cohort's eligible participants and issue their
    certificates, worked through in the background; its counts show the progress.

    ``failures`` lists, for each enrollment that could not be completed, who and why.
    A cohort has at most one run waiting or running at a time.
    """

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="certificate_runs", verbose_name=_("cohort")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=RunState.choices, default=RunState.QUEUED
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    failures = models.JSONField(_("failures"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Touched after every enrollment: a run whose worker died stops being touched, and
    # the sweep (tasks.resume_stalled_runs) picks it up again.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate run")
        verbose_name_plural = _("certificate runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(state__in=ACTIVE_RUN_STATES),
                name="certificate_run_one_active_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} — {self.get_state_display()} ({self.done}/{self.total})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_RUN_STATES

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if not self.is_active else 0
        return min(100, round(100 * self.processed / self.total))
