"""Production settings: safe by default, and no start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

KAKEHASHI = Path(sys.executable).with_name("kakehashi")


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # Start from the environment a server would have: no settings of ours, and not the
    # DJANGO_ALLOW_ASYNC_UNSAFE the browser tests set for this process (check --deploy
    # rightly refuses it).
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KAKEHASHI_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    clean.update(env, KAKEHASHI_VAR_DIR=str(tmp_path))
    return subprocess.run(  # noqa: S603
        [str(KAKEHASHI), "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_the_deployment_checks_once_configured(tmp_path):
    result = run(
        tmp_path,
        KAKEHASHI_ENV="production",
        KAKEHASHI_SECRET_KEY="x" * 20 + "a-long-random-secret-for-tests-only-0123456789",
        KAKEHASHI_ALLOWED_HOSTS="kakehashi.example.org",
        # Certificates carry it for good: production must say where it is reached.
        KAKEHASHI_BASE_URL="https://kakehashi.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_warns_while_certificates_would_name_a_local_address(tmp_path):
    result = run(
        tmp_path,
        KAKEHASHI_ENV="production",
        KAKEHASHI_SECRET_KEY="x" * 20 + "a-long-random-secret-for-tests-only-0123456789",
        KAKEHASHI_ALLOWED_HOSTS="kakehashi.example.org",
    )
    assert result.returncode != 0
    assert "credentials.W002" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(tmp_path, KAKEHASHI_ENV="production", KAKEHASHI_ALLOWED_HOSTS="example.org")
    assert result.returncode == 2
    assert "KAKEHASHI_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_development_defaults_fail_the_deployment_checks(tmp_path):
    # The development defaults (DEBUG, a known key) must never pass for production.
    result = run(tmp_path)
    assert result.returncode != 0


def test_the_readme_lists_every_setting():
    root = Path(__file__).resolve().parents[2]
    source = (root / "src" / "kakehashi" / "settings.py").read_text()
    readme = (root / "README.md").read_text()
    import re

    names = set(re.findall(r'(?:environ\.get|env\w*)\(\s*"([A-Z_]+)"', source))
    assert names, "no settings found: the pattern is out of date"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == []
