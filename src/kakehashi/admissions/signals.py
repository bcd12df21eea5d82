from django.dispatch import Signal

# Sent inside the transaction that marked an enrollment completed, with ``enrollment``,
# ``actor`` and ``recorded`` (true when an earlier completion is recorded from the center's
# files): the credentials app listens and issues the certificate in the same transaction, so
# a completion never stands without its certificate.
enrollment_completed = Signal()
