"""What anyone may see without an account: whether a certificate is genuine, the networks'
public keys, their revocation lists and issuer profiles.

The verify page says no more than the certificate itself states, and nothing to help guess
numbers: an unknown number is a plain 404, the same for a typo as for a forgery.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from kakehashi.credentials import keys, services
from kakehashi.credentials.models import Certificate
from kakehashi.network.models import Network

# Published keys change only when a key is made or rotated; ten minutes of caching spares
# the server, and a verifier holding an older copy sees the new key soon after a rotation.
JWKS_MAX_AGE = 10 * 60
NUMBER_MAX_LENGTH = 40


def _public(response: HttpResponse) -> HttpResponse:
    """Readable by any site's scripts: verifiers run in other people's pages."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _unindexed(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """A box to type a certificate's number into."""
    typed = request.GET.get("number", "")[:NUMBER_MAX_LENGTH]
    number = services.normalize_number(typed)
    if services.looks_like_number(number):
        return redirect("credentials:verify", number=number)
    context = {"typed": typed, "malformed": bool(typed.strip())}
    status = 422 if context["malformed"] else 200
    return _unindexed(render(request, "credentials/verify_form.html", context, status=status))


@never_cache
@require_safe
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """Valid, revoked (with when and why) or unknown (404), checked against the signature."""
    canonical = services.normalize_number(number)
    well_formed = services.looks_like_number(canonical)
    if well_formed and canonical != number:
        return redirect("credentials:verify", number=canonical)
    certificate = (
        Certificate.objects.select_related("key__network", "center").filter(number=number).first()
        if well_formed
        else None
    )
    if certificate is None:
        unknown = {"number": number[:NUMBER_MAX_LENGTH]}
        return _unindexed(render(request, "credentials/verify.html", unknown, status=404))
    verdict = services.verdict_of(certificate)
    context: dict[str, Any] = {
        "number": number,
        "certificate": certificate,
        "verdict": verdict,
        "facts": verdict.facts,
        "zone": certificate.center.timezone,
    }
    return _unindexed(render(request, "credentials/verify.html", context))


@require_safe
def jwks(request: HttpRequest) -> HttpResponse:
    """Every network's public keys, retired ones included, as a JWK Set."""
    response = JsonResponse(keys.jwks())
    patch_cache_control(response, public=True, max_age=JWKS_MAX_AGE)
    return _public(response)


@require_safe
def revocations(request: HttpRequest, network: str) -> HttpResponse:
    """The network's revocation list, signed just now."""
    found = get_object_or_404(Network, slug=network)
    token = services.revocation_list(found)
    if token is None:
        raise Http404
    response = HttpResponse(token, content_type="application/jwt")
    response["Content-Disposition"] = f'inline; filename="{found.slug}-revocations.jwt"'
    patch_cache_control(response, no_cache=True, max_age=0, must_revalidate=True)
    return _public(response)


@require_safe
def issuer(request: HttpRequest, network: str) -> HttpResponse:
    """The network as an Open Badges issuer profile: what a credential's ``iss`` names."""
    found = get_object_or_404(Network, slug=network)
    profile = services.issuer_profile(found)
    if profile is None:
        raise Http404
    response = JsonResponse(profile, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=JWKS_MAX_AGE)
    return _public(response)
