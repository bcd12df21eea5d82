"""The endpoint Stripe posts its events to."""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kakehashi.core.errors import DomainError
from kakehashi.payments import webhooks

log = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature proves the sender instead.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify the signature, then apply the event once. A refused signature is 400, so
    Stripe shows it as failed; an event applied before answers 200 again."""
    payload = request.body
    try:
        webhooks.verify(
            payload,
            request.headers.get("Stripe-Signature", ""),
            settings.KAKEHASHI_STRIPE_WEBHOOK_SECRET,
        )
    except webhooks.BadSignature as error:
        log.warning("refused a Stripe webhook: %s", error)
        return JsonResponse({"error": "bad signature"}, status=400)
    try:
        outcome = webhooks.handle(payload)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return JsonResponse({"outcome": outcome})
