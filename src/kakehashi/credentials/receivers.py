"""The certificate follows the completion, in the same transaction."""

from typing import Any

from django.dispatch import receiver

from kakehashi.admissions.models import Enrollment
from kakehashi.admissions.signals import enrollment_completed
from kakehashi.core.actors import Actor
from kakehashi.credentials import services


@receiver(enrollment_completed, sender=Enrollment, dispatch_uid="credentials.issue_certificate")
def issue_certificate_on_completion(
    sender: type[Enrollment],
    enrollment: Enrollment,
    actor: Actor,
    recorded: bool = False,
    **kwargs: Any,
) -> None:
    # Inside the completing transaction: if issuing fails (the signing key is missing),
    # the completion is rolled back with it, so a completion never stands without its
    # certificate.
    # A history brought in from paper records can be hundreds of completions at once: their
    # PDFs are made when first downloaded, not all queued at the moment of the import.
    services.issue_on_completion(actor=actor, enrollment=enrollment, render=not recorded)
