"""compose.yaml, the production starting point (docs/deploy.md, "Compose"), as Docker
Compose reads it, and the image it builds holding what serve.py runs. No Docker daemon
runs here: `docker-compose config` (Debian's package, installed by bin/test) parses,
interpolates and validates the file the way `up` would before starting anything."""

import os
import re
import shutil
import subprocess
import tomllib

import pytest
import yaml

from serve import STOP_GRACE
from tests.support.processes import ROOT

COMPOSE = shutil.which("docker-compose")


def compose_config(**env: str) -> subprocess.CompletedProcess:
    assert COMPOSE, "docker-compose is not installed: Debian's docker-compose package (bin/test installs it)"
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "POSTGRES_PASSWORD")}
    return subprocess.run([COMPOSE, "-f", "compose.yaml", "config"], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, **env}, timeout=60)


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose_config(SECRET_KEY="s" * 40, POSTGRES_PASSWORD="p" * 20, WEB_PROCESSES="3")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_runs_the_database_redis_web_workers_and_nginx(config):
    services = config["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "nginx"}
    assert services["web"]["init"] is True and services["worker"]["init"] is True  # orphans reaped
    web = services["web"]["environment"]
    assert web["WEB_PROCESSES"] == "3" and web["HTTP_WORKERS"] == "2" and web["WORKER_CLUSTERS"] == "0"
    assert web["DATABASE_URL"] == "postgres://focushub:" + "p" * 20 + "@postgres:5432/focushub"
    # Only nginx, in the same network namespace, reaches the app; it is the trusted proxy.
    assert web["HOST"] == "127.0.0.1" and "FORWARDED_ALLOW_IPS" not in web
    assert services["nginx"]["network_mode"] == "service:web"
    # Compose v1 prints a volume as "source:target:mode", v2 as a mapping.
    sources = [volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
               for volume in services["nginx"]["volumes"]]
    assert str(ROOT / "deploy" / "nginx" / "focushub.conf") in sources
    assert services["worker"]["command"] == ["worker"]


def test_stopping_gives_serve_py_its_whole_drain(config):
    for name in ("web", "worker"):
        grace = re.fullmatch(r"(\d+)s", config["services"][name]["stop_grace_period"])
        assert grace and int(grace.group(1)) > STOP_GRACE


def test_secrets_must_be_given(config):
    refused = compose_config(SECRET_KEY="s" * 40)
    assert refused.returncode != 0
    assert "set POSTGRES_PASSWORD" in refused.stderr


def test_the_image_holds_every_module_the_package_declares():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    copied = {name for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("COPY ")
              for name in line.split()[1:-1]}
    assert {f"{module}.py" for module in declared["py-modules"]} <= copied
    assert set(declared["packages"]["find"]["include"]) == {f"{name}*" for name in copied if (ROOT / name).is_dir()}
