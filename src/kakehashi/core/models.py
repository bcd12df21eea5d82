"""Users, API tokens, the hash-chained audit log and the outbox of outgoing mail."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: staff of the network or a participant with an account."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    # Set when the person opened the link mailed to their address: until then the address
    # proves nothing, so nothing filed under it (applications) is shown to this account.
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a digest is stored; the token is shown once."""

    PREFIX = "kh_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text=_("The token's first characters.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: "User", name: str = "") -> tuple["ApiToken", str]:
        """Issue a token as the system: :func:`kakehashi.core.services.tokens.issue_api_token`,
        which writes it and its audit event (kept here for the callers that set up tests)."""
        # Imported here: the services import this module.
        from kakehashi.core.actors import SystemActor
        from kakehashi.core.services.tokens import issue_api_token

        return issue_api_token(actor=SystemActor("core.api_token.issue"), user=user, name=name)


class AuditChain(models.Model):
    """The head of one hash chain: one per center, one for the network office.

    Appending locks only this row, so audit writes at one center never wait for another's.
    """

    key = models.CharField(max_length=64, unique=True)
    length = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain")

    def __str__(self) -> str:
        return f"{self.key} ({self.length})"


class AuditEvent(models.Model):
    """One change of state, written in the same transaction as the change; append-only.

    ``hash`` covers this event's content and the previous event's hash, so editing or
    deleting any event breaks the chain from that point on (``kakehashi audit verify``).
    """

    chain = models.ForeignKey(AuditChain, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    action = models.CharField(max_length=100, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit event")
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_unique_seq"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.seq}"


class OutgoingEmail(models.Model):
    """The outbox: every mail Kakehashi sends is written here in the transaction of the
    change that caused it, then sent by a background job after commit, with retries.

    A mail is never sent for a change that rolled back, and never lost when the mail
    server is down: it waits in the outbox, and ``attempts`` and ``last_error`` say why.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class OutgoingAttachment(models.Model):
    """A file sent with an outgoing mail, in the order the attachments were queued.

    Either its bytes are stored here (``content``), or ``source`` names a document that the
    app owning it renders when the mail is sent (``payments.entry:12``; see
    ``kakehashi.core.outbox.register_attachment_source``): a document that takes a second
    to render is then never rendered inside the transaction of the change, with its rows
    locked. Rows are deleted only with their mail.
    """

    email = models.ForeignKey(
        OutgoingEmail, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("mail")
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"), null=True, blank=True)
    source = models.CharField(_("rendered from"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["email", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (models.Q(content__isnull=False) & models.Q(source=""))
                    | (models.Q(content__isnull=True) & ~models.Q(source=""))
                ),
                name="outgoing_attachment_content_or_source",
            ),
        ]

    def __str__(self) -> str:
        return self.filename
