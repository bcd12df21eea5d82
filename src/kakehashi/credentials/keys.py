"""The networks' signing keys: made on first use, rotated on request, published for ever.

The private key of a ``SigningKey`` is the PEM file ``<KAKEHASHI_KEY_DIR>/<kid>.pem``,
created readable by its owner alone (mode 0600) and never stored in the database nor
logged. The ``kid`` is the key's RFC 7638 thumbprint, so anyone holding the public key can
check that it is the one a credential names.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc.jwk import OKPKey

from kakehashi.core import audit
from kakehashi.core.actors import Actor
from kakehashi.core.errors import Conflict, PermissionDenied
from kakehashi.core.locking import lock_row
from kakehashi.credentials.models import SigningKey
from kakehashi.credentials.verification import ALGORITHM
from kakehashi.network import access
from kakehashi.network.models import Network


class SigningKeyMissing(Conflict):
    """The private key file of a network's active key is gone or unreadable."""

    code = "signing_key_missing"
    status = 503


def absolute(path: str) -> str:
    """A full address for what is signed or printed: no request says which host we are."""
    return settings.KAKEHASHI_BASE_URL.rstrip("/") + path


def issuer_id_for(network: Network) -> str:
    return absolute(reverse("credentials:issuer", args=[network.slug]))


def key_dir() -> Path:
    return Path(settings.KAKEHASHI_KEY_DIR)


def _write_private_key(path: Path, pem: bytes) -> None:
    """Write ``pem`` to ``path`` readable by the owner alone, all or nothing: a reader never
    sees half a key, and the file is never, even for an instant, readable by others."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-", suffix=".pem")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def generate_private_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519", private=True)


def _create(network: Network, *, issuer: str, actor: Actor, action: str) -> SigningKey:
    """Make a new active key for ``network``; the network row must be locked."""
    private = generate_private_key()
    kid = private.thumbprint()
    key = SigningKey(
        network=network,
        kid=kid,
        public_jwk=dict(private.as_dict(private=False)),
        issuer=issuer,
    )
    # The file first: a key row never exists without its private half. If the transaction
    # rolls back, an unused file is left behind, which signs nothing.
    _write_private_key(key.private_key_path, private.as_pem(private=True))
    key.save(force_insert=True)
    audit.record(
        chain_key=audit.chain_key_for_network(network.pk),
        action=f"credentials.key.{action}",
        actor=actor,
        target=key,
        data={"kid": kid, "issuer": issuer},
    )
    return key


def _active(network_id: int) -> SigningKey | None:
    return (
        SigningKey.objects.select_related("network")
        .filter(network_id=network_id, retired_at__isnull=True)
        .first()
    )


def active_key(network: Network, *, actor: Actor) -> SigningKey:
    """The key ``network`` signs with now; its first certificate creates it.

    Must run inside the issuing transaction. Two workers issuing a network's first
    certificates at once would each make a key: the network row is locked before the
    second look, so the second finds the first one's key."""
    key = _active(network.pk)
    if key is not None:
        return key
    # Often after the center's audit chain (a completion issues its certificate): safe,
    # because no transaction locks the network row and then a center's chain.
    locked = lock_row(Network.objects.all(), pk=network.pk, after_audit_chain=True)
    key = _active(locked.pk)
    if key is not None:
        return key
    return _create(locked, issuer=issuer_id_for(locked), actor=actor, action="created")


def private_key(key: SigningKey) -> OKPKey:
    """The private half of ``key``, read from its file; SigningKeyMissing if it is gone."""
    path = key.private_key_path
    try:
        pem = path.read_bytes()
    except OSError:
        raise SigningKeyMissing(
            _(
                "The private key %(kid)s of %(network)s is missing (expected at %(path)s), so "
                "no certificate can be signed. Restore the file from the backup, or make a new "
                "key with `kakehashi keys rotate --network %(slug)s`."
            )
            % {
                "kid": key.kid,
                "network": key.network.name,
                "path": path,
                "slug": key.network.slug,
            }
        ) from None
    private = OKPKey.import_key(pem)
    if not private.is_private or private.thumbprint() != key.kid:
        raise SigningKeyMissing(
            _("The file %(path)s does not hold the private key %(kid)s.")
            % {"path": path, "kid": key.kid}
        )
    return private


@transaction.atomic
def rotate_key(*, actor: Actor, network: Network) -> SigningKey:
    """Retire ``network``'s active key and make a new one. The retired key stays
    published, so every certificate it signed keeps verifying; new ones use the new key.
    Only an administrator (or the operator's command) may rotate."""
    if not access.is_administrator(actor):
        raise PermissionDenied(_("Only an administrator can rotate a network's signing key."))
    locked = lock_row(Network.objects.all(), pk=network.pk)
    current = _active(locked.pk)
    issuer = current.issuer if current is not None else issuer_id_for(locked)
    if current is not None:
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
    return _create(locked, issuer=issuer, actor=actor, action="rotated")


def published_jwk(key: SigningKey) -> dict[str, Any]:
    """The public key as published: the JWK with its kid, what it signs, and for whom.

    ``issuer`` is not a registered JWK member (RFC 7517 lets verifiers ignore it); ours
    checks it, so that one network's key can never vouch for another network's issuer."""
    return {
        **key.public_jwk,
        "kid": key.kid,
        "alg": ALGORITHM,
        "use": "sig",
        "issuer": key.issuer,
    }


def jwks() -> dict[str, list[dict[str, Any]]]:
    """Every network's public keys, retired ones too, as a JWK Set."""
    keys = SigningKey.objects.order_by("network_id", "created_at", "pk")
    return {"keys": [published_jwk(key) for key in keys]}
