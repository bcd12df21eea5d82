"""Mail to applicants, and the signed links it carries.

A mail is queued in the outbox inside the transaction of the change it tells about, so a
refused or rolled-back application sends nothing, and a saved one is never without its mail.

Two kinds of signed link:

- a participant's own page (``/me/<token>/``): sent only by mail, so only the owner of the
  address gets it. It never expires: it is how someone without an account finds their
  applications again.
- the result of one application (``/applied/<token>/``): where the form sends the browser
  that filled it in. It shows that application and nothing else, and expires, because
  anyone can type anyone's address into the form.
"""

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from kakehashi.admissions import services
from kakehashi.admissions.models import Enrollment, Participant
from kakehashi.core.outbox import queue_email

# Salts keep a token of one kind from being accepted as the other.
PARTICIPANT_SALT = "kakehashi.admissions.participant-page"
RESULT_SALT = "kakehashi.admissions.application-result"
RESULT_MAX_AGE = 24 * 60 * 60  # seconds


# --- signed links ---------------------------------------------------------------------------


def participant_token(participant: Participant) -> str:
    return signing.dumps(participant.pk, salt=PARTICIPANT_SALT)


def participant_id_from(token: str) -> int | None:
    """The participant a token was signed for; None for a forged or damaged token."""
    try:
        value = signing.loads(token, salt=PARTICIPANT_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def result_token(enrollment: Enrollment) -> str:
    return signing.dumps(enrollment.pk, salt=RESULT_SALT)


class ResultLinkExpired(Exception):
    """The link to an application's result is genuine but too old."""


def enrollment_id_from(token: str) -> int | None:
    """The enrollment a result token was signed for; None for a forged or damaged token.

    Raises ResultLinkExpired for a genuine one older than ``RESULT_MAX_AGE``.
    """
    try:
        value = signing.loads(token, salt=RESULT_SALT, max_age=RESULT_MAX_AGE)
    except signing.SignatureExpired:
        raise ResultLinkExpired from None
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


# --- applying --------------------------------------------------------------------------------


def queue_application_mail(enrollment: Enrollment) -> None:
    """Tell the applicant what became of their application; inside its transaction.

    Written in the active language (the one the form or the API request came in), with
    links at ``KAKEHASHI_BASE_URL``, however the application came in."""
    participant = enrollment.participant
    cohort = enrollment.cohort
    context = {
        "enrollment": enrollment,
        "participant": participant,
        "cohort": cohort,
        "program": cohort.program,
        "center": cohort.center,
        "waitlist_position": services.waitlist_position(enrollment),
        "page_url": absolute(reverse("portal:participant", args=[participant_token(participant)])),
        "program_url": absolute(
            reverse("portal:program", args=[cohort.program.network.slug, cohort.program.slug])
        ),
    }
    # Rendered now, in the active language (the request's): the outbox keeps finished text.
    subject = render_to_string("admissions/mail/application_subject.txt", context)
    body = render_to_string("admissions/mail/application_body.txt", context)
    queue_email(to=participant.email, subject=subject, body=body)


# --- offers ----------------------------------------------------------------------------------


def absolute(path: str) -> str:
    """A full address for mail sent where no request says which host we are."""
    return settings.KAKEHASHI_BASE_URL.rstrip("/") + path


def queue_offer_mail(enrollment: Enrollment) -> None:
    """Tell someone a seat is theirs to confirm, and by when; inside the offer's transaction.

    Written in the language they applied in, since offers are also made by background
    jobs (an expired offer passing the seat on) where no request has a language.
    """
    participant = enrollment.participant
    cohort = enrollment.cohort
    center = cohort.center
    expires = enrollment.offer_expires_at
    context = {
        "enrollment": enrollment,
        "participant": participant,
        "cohort": cohort,
        "program": cohort.program,
        "center": center,
        "expires": timezone.localtime(expires, center.tzinfo) if expires else None,
        "page_url": absolute(reverse("portal:participant", args=[participant_token(participant)])),
    }
    with translation.override(participant.language or settings.LANGUAGE_CODE):
        subject = render_to_string("admissions/mail/offer_subject.txt", context)
        body = render_to_string("admissions/mail/offer_body.txt", context)
    queue_email(to=participant.email, subject=subject, body=body)
