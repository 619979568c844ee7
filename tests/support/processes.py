"""Real server processes for tests: daphne serving asgi:application and a django-q2
cluster, both pointed at the test database that pytest-django created."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**overrides: str) -> dict[str, str]:
    """The environment of a child process that must use the same test database."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "focushub.settings"
    env["FOCUSHUB_DATA_DIR"] = str(settings.DATA_DIR)
    env["PYTHONUNBUFFERED"] = "1"
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(name)
    else:
        base = settings.DATABASE_URL.rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{name}"
    env.update(overrides)
    return env


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.args, self.env = args, env
        self._spawn("wb")

    def _spawn(self, log_mode: str) -> None:
        self.log = open(self.log_path, log_mode)  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def start_again(self) -> int:
        """After stop(): the same command in the same environment, its output appended to
        the same log. Returns the log offset it started at."""
        offset = self.log_offset()
        self._spawn("ab")
        return offset

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def kill(self) -> None:
        self.stop(sig=signal.SIGKILL)

    def log_offset(self) -> int:
        """Where the log ends now: pass it to log_since() to read what a test caused."""
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Daphne(Process):
    def __init__(self, log_dir: Path, port: int | None = None, **env_overrides: str):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "asgi:application"]
        super().__init__(f"daphne-{self.port}", args, server_env(**env_overrides), log_dir)
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"daphne did not become ready:\n{self.tail()}")


class QCluster(Process):
    def __init__(self, log_dir: Path, **env_overrides: str):
        super().__init__("qcluster", [sys.executable, "manage.py", "qcluster"], server_env(**env_overrides), log_dir)
        self.wait_running()

    def start_again(self) -> int:
        offset = super().start_again()
        self.wait_running(since=offset)
        return offset

    def wait_running(self, timeout: float = 60, since: int = 0) -> None:
        """Until django-q2 logs that the cluster runs (its workers are up), however long a
        busy machine takes to get there; an exit before that is an error."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"qcluster exited early:\n{self.tail()}")
            if "] running." in self.log_since(since):
                return
            time.sleep(0.05)
        raise RuntimeError(f"qcluster did not start:\n{self.tail()}")


def wait_for(predicate, timeout: float = 10, interval: float = 0.05, message: str = "condition"):
    """Poll until predicate() is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
