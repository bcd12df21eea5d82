"""The promise: a certificate stays verifiable after the center, the network and their
servers are gone. Certificates are issued by a real Kakehashi (its own database, its own
keys), the public keys and the credentials are saved to files, the database is deleted,
and `kakehashi certificates verify` still says every one is valid, without opening (or
quietly creating) any database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# The console script of the Python running the tests (.venv, or another VENV in CI).
KAKEHASHI = Path(sys.executable).with_name("kakehashi")

# Run in a fresh Kakehashi (the subprocess's own settings and database): create the
# database, issue three certificates in three languages, revoke one, and save what a holder
# and a verifier keep, the published keys included. One process, since each start costs.
ISSUE = """
import io, json, pathlib, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from tests.factories import SYSTEM
from kakehashi.admissions import services as admissions
from kakehashi.credentials import services
from tests import factories
from tests.credentials.conftest import enroll, running_cohort
out = pathlib.Path(sys.argv[1])
center = factories.make_center(factories.make_network("japan-centers"), "khabarovsk")
cohort = running_cohort(center)
numbers = {}
for name, language in (("anna", "ru"), ("kenji", "ja"), ("maria", "en")):
    enrollment = enroll(cohort, name, language=language)
    admissions.complete(actor=SYSTEM, enrollment=enrollment)
    certificate = enrollment.certificate
    (out / f"{name}.jwt").write_text(certificate.credential)
    numbers[name] = certificate.number
services.revoke_certificate(
    actor=SYSTEM, certificate=enrollment.certificate, reason="Issued to the wrong person."
)
(out / "revocations.jwt").write_text(services.revocation_list(center.network))
(out / "numbers.json").write_text(json.dumps(numbers))
jwks = io.StringIO()
call_command("certificates", "export-jwks", stdout=jwks)
(out / "jwks.json").write_text(jwks.getvalue())
"""


def run(arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        arguments, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_certificates_verify_offline_after_the_database_is_deleted(tmp_path: Path):
    var = tmp_path / "var"
    files = tmp_path / "kept"
    files.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "KAKEHASHI_TEST_DATABASE"}
    }
    env |= {
        "KAKEHASHI_VAR_DIR": str(var),
        "KAKEHASHI_KEY_DIR": str(tmp_path / "keys"),
        "KAKEHASHI_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "kakehashi.settings",
    }
    issued = run([sys.executable, "-c", ISSUE, str(files)], env)
    assert issued.returncode == 0, issued.stderr
    numbers = json.loads((files / "numbers.json").read_text())

    database = var / "kakehashi.sqlite3"
    assert database.exists()
    for path in var.glob("kakehashi.sqlite3*"):
        path.unlink()
    # Any attempt to reach PostgreSQL instead would be refused at once.
    offline = {**env, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/gone"}

    holders = (("anna", "Person anna"), ("kenji", "Person kenji"))
    for environment in (env, offline):
        verified = run(
            [
                str(KAKEHASHI),
                "certificates",
                "verify",
                *(str(files / f"{name}.jwt") for name, _holder in holders),
                "--jwks",
                str(files / "jwks.json"),
            ],
            environment,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        reports = verified.stdout.split("VALID  ")[1:]
        assert len(reports) == len(holders)
        for report, (name, holder) in zip(reports, holders, strict=True):
            assert report.startswith(numbers[name])
            assert holder in report
            assert "/certificates/japan-centers/issuer.json>" in report
    # Without the list, the revoked one still verifies: its signature is genuine.
    every = [str(files / f"{name}.jwt") for name in ("anna", "kenji", "maria")]
    all_valid = run(
        [str(KAKEHASHI), "certificates", "verify", *every, "--jwks", str(files / "jwks.json")],
        env,
    )
    assert all_valid.returncode == 0, all_valid.stdout + all_valid.stderr
    assert all_valid.stdout.count("VALID  ") == 3
    # With the network's signed list, it is revoked, with the reason.
    revoked = run(
        [
            str(KAKEHASHI),
            "certificates",
            "verify",
            str(files / "maria.jwt"),
            "--jwks",
            str(files / "jwks.json"),
            "--revocations",
            str(files / "revocations.jwt"),
        ],
        env,
    )
    assert revoked.returncode == 1
    assert revoked.stdout.startswith(f"REVOKED  {numbers['maria']}")
    assert "Issued to the wrong person." in revoked.stdout
    # A changed credential is invalid, and a missing file is a usage error.
    tampered = files / "tampered.jwt"
    header, payload, signature = (files / "anna.jwt").read_text().split(".")
    tampered.write_text(
        ".".join(
            [header, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature]
        )
    )
    invalid = run(
        [
            str(KAKEHASHI),
            "certificates",
            "verify",
            str(tampered),
            "--jwks",
            str(files / "jwks.json"),
        ],
        env,
    )
    assert invalid.returncode == 1
    assert invalid.stdout.startswith("INVALID")
    missing = run(
        [
            str(KAKEHASHI),
            "certificates",
            "verify",
            str(files / "nothing.jwt"),
            "--jwks",
            str(files / "jwks.json"),
        ],
        env,
    )
    assert missing.returncode == 2
    usage = run([str(KAKEHASHI), "certificates", "verify", str(files / "anna.jwt")], env)
    assert usage.returncode == 2 and "--jwks" in usage.stderr

    # Nothing opened, let alone created, a database along the way.
    assert not list(var.glob("kakehashi.sqlite3*"))
