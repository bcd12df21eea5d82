"""Who a participant's signed link names, as payments knows payers.

Admissions mails each participant a signed link to their own pages; the payer's pages and
the payment mail read and write the same link without importing admissions.
"""

from django.core import signing

# The salt admissions signs the participant's own link with (``kakehashi.admissions.
# notifications.PARTICIPANT_SALT``): payments may not import admissions, so the value is
# repeated here, and a test keeps the two equal.
PARTICIPANT_SALT = "kakehashi.admissions.participant-page"


def participant_ref_from(token: str) -> str | None:
    """The payer reference (``admissions.participant:<id>``) a participant link proves."""
    try:
        value = signing.loads(token, salt=PARTICIPANT_SALT)
    except signing.BadSignature:
        return None
    return f"admissions.participant:{value}" if isinstance(value, int) else None
