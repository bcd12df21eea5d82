from django.dispatch import Signal

# Sent inside the transaction that raised a cohort's capacity, with ``cohort`` and ``actor``:
# admissions listens and offers the new seats to the waiting list at once.
capacity_increased = Signal()
