"""Settings come from the environment and refuse bad or missing production values."""

import os
import subprocess
import sys

from tests.support.processes import ROOT

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY[:4])"


def boot(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    clean.update(DJANGO_SETTINGS_MODULE="focushub.settings", FOCUSHUB_DATA_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = boot(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_short_secret_key_is_refused(tmp_path):
    result = boot(tmp_path, SECRET_KEY="short")
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_malformed_boolean_is_refused(tmp_path):
    result = boot(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_malformed_ttl_is_refused(tmp_path):
    result = boot(tmp_path, ACCESS_TOKEN_TTL="15min")
    assert result.returncode != 0
    assert "ACCESS_TOKEN_TTL must be an integer" in result.stderr


def test_embedded_mode_keeps_one_generated_secret_key(tmp_path):
    first = boot(tmp_path)
    second = boot(tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    key_file = tmp_path / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr" + "x" * 40)
    result = boot(tmp_path, SECRET_KEY_FILE=str(secret), DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "s3cr"


def test_malformed_throttle_rate_is_refused_at_startup(tmp_path):
    result = boot(tmp_path, LOGIN_THROTTLE_RATE="ten per minute")
    assert result.returncode != 0
    assert "LOGIN_THROTTLE_RATE must look like 10/min" in result.stderr
