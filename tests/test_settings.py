"""Settings come from the environment, refuse bad or missing production values, and
leave the disk alone until the startup step runs."""

import os
import subprocess
import sys

import pytest

from tests.support.processes import ROOT

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY[:4])"


def boot(tmp_path, code=CHECK, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    clean.update(DJANGO_SETTINGS_MODULE="focushub.settings", FOCUSHUB_DATA_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_importing_the_settings_creates_nothing(tmp_path):
    fresh = tmp_path / "fresh"
    result = boot(fresh, code="import focushub.settings")
    assert result.returncode == 0, result.stderr
    assert not fresh.exists()


def test_startup_creates_the_data_folders(tmp_path):
    fresh = tmp_path / "fresh"
    result = boot(fresh)
    assert result.returncode == 0, result.stderr
    assert {path.name for path in fresh.iterdir()} == {"media", "static", "secret_key"}


@pytest.mark.parametrize(("name", "value", "message"), [
    ("SENTRY_TRACES_SAMPLE_RATE", "lots", "SENTRY_TRACES_SAMPLE_RATE must be a number, got 'lots'"),
    ("SENTRY_TRACES_SAMPLE_RATE", "1.5", "SENTRY_TRACES_SAMPLE_RATE must be from 0.0 to 1.0, got '1.5'"),
    ("Q_WORKERS", "two", "Q_WORKERS must be an integer, got 'two'"),
    ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'"),
    ("BOARD_SOURCES", "timer,bonus", "BOARD_SOURCES is a comma-separated subset of timer,manual,edited"),
    ("EMBED_FRAME_ANCESTORS", "https://team.example; script-src *",
     "EMBED_FRAME_ANCESTORS is a comma-separated list of origins, 'self' or *"),
    ("FORWARDED_ALLOW_IPS", "10.0.0.1,nginx", "FORWARDED_ALLOW_IPS is a comma-separated list of IP addresses or "
     "networks, got 'nginx'"),
    ("HTTP_WORKERS", "2", "HTTP_WORKERS=2 needs DATABASE_URL and REDIS_URL"),
    ("DATABASE_REPLICA_URL", "postgres://replica.example/focushub", "DATABASE_REPLICA_URL needs DATABASE_URL"),
    ("DATABASE_REPLICA_MAX_LAG", "soon", "DATABASE_REPLICA_MAX_LAG must be a number, got 'soon'"),
])
def test_a_bad_value_names_the_variable(tmp_path, name, value, message):
    result = boot(tmp_path, **{name: value})
    assert result.returncode != 0
    assert message in result.stderr.splitlines()[-1]


def test_a_bad_url_names_the_variable_but_never_shows_the_password(tmp_path):
    for url in ("mysql://focus:hunter2-secret@db/focushub", "postgres://focus:hunter2-secret@db:port/focushub"):
        result = boot(tmp_path, DATABASE_URL=url, SECRET_KEY="x" * 40)
        assert result.returncode != 0
        assert "DATABASE_URL" in result.stderr.splitlines()[-1]
        assert "hunter2" not in result.stderr
    result = boot(tmp_path, DATABASE_URL="postgres://db/focushub", SECRET_KEY="x" * 40,
                  DATABASE_REPLICA_URL="postgres://replica-1/focushub, mysql://focus:hunter2-secret@replica-2/focushub")
    assert "DATABASE_REPLICA_URL must be a URL starting with postgres:// or postgresql://" in result.stderr
    assert "hunter2" not in result.stderr
    result = boot(tmp_path, REDIS_URL="localhost:6379")
    assert "REDIS_URL must be a URL starting with redis:// or rediss:// or unix://" in result.stderr


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
