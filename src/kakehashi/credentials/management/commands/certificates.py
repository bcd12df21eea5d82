"""``kakehashi certificates verify FILE... --jwks JWKS_FILE [--revocations LIST_FILE]`` checks
downloaded credentials with nothing but the network's public keys: no database, no server.
``kakehashi certificates export-jwks`` prints every network's public keys, for archiving.

Exit status of ``verify``: 0 when every credential is valid, 1 when any is revoked or
invalid, 2 when the command cannot do its work (a file missing or unreadable, a key set or
revocation list that cannot be trusted).
"""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kakehashi.credentials import keys, verification

USAGE_ERROR = 2
NOT_VALID = 1


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(
            _("Cannot read the %(what)s %(path)s: %(error)s")
            % {"what": what, "path": path, "error": error},
            returncode=USAGE_ERROR,
        ) from None


class Command(BaseCommand):
    help = (
        "Work with certificates. `certificates verify FILE --jwks JWKS_FILE` checks a "
        "downloaded credential offline; `certificates export-jwks` prints the public keys."
    )
    # `verify` works from files alone: the system checks would read the database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser(
            "verify", help="Check downloaded credentials with the public keys alone."
        )
        verify.add_argument("files", nargs="+", metavar="FILE", help="a credential (.jwt)")
        verify.add_argument(
            "--jwks", required=True, metavar="JWKS_FILE", help="the published keys (jwks.json)"
        )
        verify.add_argument(
            "--revocations",
            metavar="LIST_FILE",
            help="the network's signed revocation list (revocations.jwt)",
        )
        actions.add_parser("export-jwks", help="Print every network's public keys (reads the DB).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export-jwks":
            self._export_jwks()
        else:
            self._verify(options["files"], options["jwks"], options.get("revocations"))

    def _export_jwks(self) -> None:
        self.stdout.write(json.dumps(keys.jwks(), indent=2, ensure_ascii=False))

    def _verify(self, files: list[str], jwks_file: str, revocations_file: str | None) -> None:
        try:
            jwks = verification.load_jwks(_read(jwks_file, _("key set")))
            revocations = (
                verification.read_revocation_list(
                    _read(revocations_file, _("revocation list")), jwks
                )
                if revocations_file
                else None
            )
            verdicts = [
                (path, verification.verify(_read(path, _("credential")), jwks, revocations))
                for path in files
            ]
        except verification.VerificationError as error:
            raise CommandError(str(error), returncode=USAGE_ERROR) from None
        for path, verdict in verdicts:
            self._report(path, verdict)
        failing = sum(1 for _path, verdict in verdicts if not verdict.is_valid)
        if failing:
            raise CommandError(
                _("%(failing)d of %(total)d credentials are not valid.")
                % {"failing": failing, "total": len(verdicts)},
                returncode=NOT_VALID,
            )

    def _report(self, path: str, verdict: verification.Verdict) -> None:
        facts = verdict.facts
        label = {
            "valid": self.style.SUCCESS(_("VALID")),
            "revoked": self.style.ERROR(_("REVOKED")),
            "invalid": self.style.ERROR(_("INVALID")),
        }[verdict.state]
        self.stdout.write(f"{label}  {(facts.number if facts else '') or '?'}  ({path})")
        if verdict.state == "invalid":
            # Translated apart from the f-strings: xgettext does not look inside them.
            reason = _("Reason")
            self.stdout.write(f"  {reason}: {verdict.problem}")
            if facts is not None:
                claims = _("What it claims (not to be trusted)")
                self.stdout.write(f"  {claims}:")
        if verdict.state == "revoked" and verdict.revocation is not None:
            when = verdict.revocation.revoked_at
            self.stdout.write(
                f"  {_('Revoked')}: {when.date() if when else '?'}: {verdict.revocation.reason}"
            )
        if facts is None:
            return
        lines = [
            (_("Number"), facts.number),
            (_("Holder"), facts.holder_name),
            (_("Program"), facts.program_name),
            (
                _("Center"),
                ", ".join(part for part in (facts.center_name, facts.center_city) if part),
            ),
            (_("Dates"), f"{facts.starts_on} – {facts.ends_on}"),
            (_("Hours of instruction"), str(facts.hours) if facts.hours is not None else "?"),
            (_("Issuer"), f"{facts.network_name} <{facts.issuer_id}>"),
            (_("Issued"), str(facts.issued_at.date()) if facts.issued_at else "?"),
        ]
        for name, value in lines:
            self.stdout.write(f"  {name}: {value}")
