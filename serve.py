"""Run FocusHub: WEB_PROCESSES daphne processes behind one address, HTTP_WORKERS gunicorn
workers behind a second, and WORKER_CLUSTERS django-q2 clusters, under one small
supervisor (docs/deploy.md).

    python serve.py [daphne options]

bin/run and the Docker image start the server this way. The supervisor opens each
listening socket once and hands it on: PORT to every daphne (`daphne --fd`), which
serves everything, websockets included; HTTP_PORT (default PORT + 1) to gunicorn
(`--bind fd://`), whose WSGI workers answer plain HTTP several times faster per core
(wsgi.py) and which the proxy in front sends everything but /ws/ to
(deploy/nginx/focushub.conf). The kernel gives each new connection to whichever process
accepts it first, and because the sockets outlive the processes, a connection that
arrives while one restarts waits in the backlog instead of being refused. A process
that dies is started again, after a delay that doubles while it keeps dying (logged,
one line each time), and what it had started itself is stopped. SIGTERM or SIGINT
stops everything gracefully: each daphne stops accepting, finishes the requests it is
answering, asks its websockets to come back (close 1012, the client reconnects with
`since`) and exits; gunicorn stops accepting and lets its workers finish their requests
(its own graceful stop, with workers that let go of the listening socket at once:
DrainingThreadWorker); each cluster finishes its tasks as django-q2 does. Once nothing
holds a listening socket, a new connection is refused, and a proxy tries another server.
What has not stopped after STOP_GRACE seconds is killed. A second signal kills at once.

The embedded mode runs one web process and no HTTP workers (SQLite and the in-process
channel layer live in it); focushub/settings.py refuses more, and reads the counts, so a bad value stops here
with the variable's name, before anything starts.

The same file is each web process's entry point (`serve.py --web-process ...`): daphne's
own command line with a server that stops as described above.
"""

import logging
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from gunicorn.workers.gthread import ThreadWorker

ROOT = Path(__file__).resolve().parent
STOP_GRACE = 30.0  # seconds the processes get to finish after SIGTERM
LEFTOVER_GRACE = 5.0  # seconds what a dead process started gets to stop before it is killed
DRAIN_GRACE = 25.0  # of which a web process waits for its requests and sockets
FIRST_DELAY, MAX_DELAY = 0.5, 30.0  # restart backoff: doubles per quick death, up to the cap
STABLE_AFTER = 60.0  # a process that ran this long starts the backoff over
WEB_PROCESS_FLAG = "--web-process"
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}

logger = logging.getLogger("serve")


# -- the web process ---------------------------------------------------------------------


def web_process(daphne_args: list[str]) -> None:
    """daphne's command line, with a Server that drains on SIGTERM instead of cancelling
    every request in flight (what daphne's own handler does)."""
    from daphne.cli import CommandLineInterface
    from daphne.server import Server
    from daphne.ws_protocol import WebSocketProtocol
    from twisted.internet import reactor

    def finished(details: dict) -> bool:
        instance = details.get("application_instance")  # reaped by daphne once done
        return "disconnected" in details and (instance is None or instance.done())

    class DrainingServer(Server):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.signal_handlers = False  # SIGTERM and SIGINT are ours, below
            self.ports: list = []
            self.draining = False

        def run(self) -> None:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: reactor.callFromThread(self.drain))
            super().run()

        def listen_success(self, port) -> None:
            super().listen_success(port)
            self.ports.append(port)
            logger.info("web process %d accepting connections", os.getpid())

        def drain(self) -> None:
            if self.draining:
                return
            self.draining = True
            for port in self.ports:
                port.stopListening()
            sockets = [protocol for protocol in self.connections if isinstance(protocol, WebSocketProtocol)]
            for protocol in sockets:
                protocol.serverClose(code=1012)  # service restart: come back (realtime/wire.py)
            logger.info("web process %d draining: %d connections open, %d of them websockets asked to reconnect",
                        os.getpid(), len(self.open_connections()), len(sockets))
            self.stop_when_drained(time.monotonic() + DRAIN_GRACE)

        def open_connections(self) -> list:
            """Connections still open, or whose application has not finished yet (Django
            ends a request after its response is sent: stopping before that would cancel it)."""
            return [protocol for protocol, details in self.connections.items() if not finished(details)]

        def stop_when_drained(self, deadline: float) -> None:
            still_open = self.open_connections()
            if still_open and time.monotonic() < deadline:
                reactor.callLater(0.05, self.stop_when_drained, deadline)
                return
            if still_open:
                logger.warning("web process %d: %d connections still open after %.0f s; closing them",
                               os.getpid(), len(still_open), DRAIN_GRACE)
            logger.info("web process %d stopped", os.getpid())
            reactor.stop()

    CommandLineInterface.server_class = DrainingServer
    CommandLineInterface().run(daphne_args)


class DrainingThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, which lets go of the listening socket as soon as it stops
    accepting to finish its requests. gunicorn's own keeps its copy open until it exits,
    and the kernel goes on queueing new connections on it that nobody will accept: a
    proxy's request sent meanwhile hung until the slowest request in flight had finished.
    Closed, a new connection is refused at once, and the proxy tries another server."""

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:  # stopping: this worker accepts nothing more
            for listener in self.sockets:
                listener.close()


# -- the supervisor ----------------------------------------------------------------------


@dataclass
class Slot:
    """One process the supervisor keeps running: `web 2`, `worker 1`."""

    name: str
    args: list[str]
    pass_fds: tuple[int, ...] = ()
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        # A process group of its own: a Ctrl-C in the terminal reaches the supervisor
        # only, which then stops everything in order.
        self.proc = subprocess.Popen(self.args, cwd=ROOT, pass_fds=self.pass_fds, process_group=0)
        self.started_at = time.monotonic()
        self.restart_at = None
        logger.info("%s started (pid %d)", self.name, self.proc.pid)

    def reap(self, now: float) -> bool:
        """If the process has just died, log how, schedule its restart and say so."""
        if self.proc is None or self.restart_at is not None or self.proc.poll() is None:
            return False
        ran = now - self.started_at
        self.quick_deaths = 0 if ran >= STABLE_AFTER else self.quick_deaths + 1
        delay = min(MAX_DELAY, FIRST_DELAY * 2 ** max(0, self.quick_deaths - 1))
        logger.warning("%s (pid %d) %s after %.1f s; restarting in %.1f s",
                       self.name, self.proc.pid, exit_reason(self.proc.returncode), ran, delay)
        self.restart_at = now + delay
        return True


def signal_group(pgid: int, signum: signal.Signals) -> bool:
    """Send `signum` to every process left in the group; False if none is left."""
    if not group_alive(pgid):
        return False
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


def group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. On Linux, read from /proc, leaving out
    zombies: a process whose parent died exits into one until its new parent reaps it,
    and a signal to the group still "reaches" it. Elsewhere, whether the group exists."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _parent, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(group) == pgid and state != "Z":
            return True
    return False


def exit_reason(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


def listening_socket(host: str, port: int, variable: str) -> socket.socket:
    """A listening socket every process of one kind accepts from. IPv4: daphne adopts a
    socket it is handed (`--fd`) as AF_INET only; an IPv6 address belongs on the proxy in
    front."""
    try:
        return socket.create_server((host, port), family=socket.AF_INET, backlog=1024)
    except (OSError, OverflowError) as exc:
        raise SystemExit(f"serve.py: cannot listen on HOST={host} {variable}={port} (an IPv4 address): {exc}") from None


class Supervisor:
    """Starts the slots, restarts what dies, stops everything on SIGTERM/SIGINT.

    Signals are read from a wakeup socket (signal.set_wakeup_fd): the main loop sleeps in
    select() until a signal arrives (SIGCHLD: a process died) or a restart is due, and a
    signal that arrives between two checks still wakes the next select.

    Each slot's process leads a process group of its own, and what it starts joins it (a
    django-q2 cluster's sentinel, pusher, monitor and workers; gunicorn's workers). When the
    leader dies, what is left of its group is told to stop (SIGTERM) and killed after
    LEFTOVER_GRACE: a cluster killed with SIGKILL otherwise left its workers running
    beside its replacement, past the supervisor's own stop."""

    def __init__(self, slots: list[Slot], listeners: list[socket.socket]):
        self.slots = slots
        self.listeners = listeners
        self.leftovers: dict[int, float] = {}  # process group of a dead slot process -> kill at
        self.wakeup, wakeup_writer = socket.socketpair()
        for end in (self.wakeup, wakeup_writer):
            end.setblocking(False)
        signal.set_wakeup_fd(wakeup_writer.fileno(), warn_on_full_buffer=False)
        self._writer = wakeup_writer  # kept open for the wakeup fd
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(signum, lambda *_: None)  # caught (not the default action); read below

    def wait(self, timeout: float | None) -> set[int]:
        """The signals received, after waiting up to `timeout` seconds for one."""
        select.select([self.wakeup], [], [], timeout)
        try:
            return set(self.wakeup.recv(4096))
        except BlockingIOError:
            return set()

    def run(self) -> int:
        for slot in self.slots:
            slot.start()
        while True:
            now = time.monotonic()
            for slot in self.slots:
                if slot.reap(now) and signal_group(slot.proc.pid, signal.SIGTERM):
                    logger.warning("%s (pid %d): what it started is still running; stopping it (killed in %.0f s)",
                                   slot.name, slot.proc.pid, LEFTOVER_GRACE)
                    self.leftovers[slot.proc.pid] = now + LEFTOVER_GRACE
                if slot.restart_at is not None and slot.restart_at <= now:
                    slot.start()
            self.kill_leftovers(now)
            due = [slot.restart_at for slot in self.slots if slot.restart_at is not None]
            due += self.leftovers.values()
            received = self.wait(max(0.0, min(due) - time.monotonic()) if due else None)
            stop = received & STOP_SIGNALS
            if stop:
                return self.stop(signal.Signals(min(stop)).name)

    def kill_leftovers(self, now: float) -> None:
        for pgid, kill_at in list(self.leftovers.items()):
            if kill_at <= now:
                if signal_group(pgid, signal.SIGKILL):
                    logger.warning("process group %d did not stop in %.0f s; killed", pgid, LEFTOVER_GRACE)
                del self.leftovers[pgid]

    def stop(self, reason: str) -> int:
        logger.info("%s: stopping %d processes (up to %.0f s)", reason, len(self.running()), STOP_GRACE)
        for listener in self.listeners:
            listener.close()  # the supervisor's hold on the address; each server drops its own
        for slot in self.running():
            slot.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while self.running() and time.monotonic() < deadline:
            if self.wait(max(0.0, deadline - time.monotonic())) & STOP_SIGNALS:
                logger.warning("second signal: killing what is left")
                break
        killed = self.running()
        for slot in killed:
            logger.warning("%s (pid %d) did not stop in time; killed", slot.name, slot.proc.pid)
            slot.proc.kill()
        for slot in self.slots:
            if slot.proc is not None:
                slot.proc.wait()
        for pgid in [slot.proc.pid for slot in self.slots if slot.proc is not None] + list(self.leftovers):
            if signal_group(pgid, signal.SIGKILL):  # anything that outlived its leader's stop
                logger.warning("process group %d: processes left after its leader stopped; killed", pgid)
        logger.info("stopped")
        return 1 if killed else 0

    def running(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.proc is not None and slot.proc.poll() is None]


def http_workers(listener: socket.socket, count: int, threads: int, level: str) -> Slot:
    """gunicorn's master and its `count` WSGI workers (threaded: a request waiting on the
    database does not hold up the next), restarted by the master when one dies and by
    us when the master does. Its keep-alive outlasts the proxy's idle upstream
    connections (60 s), so the proxy never sends a request on one gunicorn is closing."""
    return Slot("http", [
        sys.executable, "-m", "gunicorn", "--bind", f"fd://{listener.fileno()}",
        "--workers", str(count), "--worker-class", "serve.DrainingThreadWorker", "--threads", str(threads),
        "--keep-alive", "75", "--graceful-timeout", str(int(DRAIN_GRACE)), "--log-level", level.lower(),
        "--error-logfile", "-", "--no-control-socket", "wsgi:application",
    ], pass_fds=(listener.fileno(),))


def supervise(daphne_options: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focushub.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from focushub.env import env, env_int

    try:
        web_count, worker_count, level = settings.WEB_PROCESSES, settings.WORKER_CLUSTERS, settings.LOG_LEVEL
        http_count = settings.HTTP_WORKERS
        host, port = env("HOST") or "127.0.0.1", env_int("PORT", 8000)
        http_port = env_int("HTTP_PORT", port + 1)
    except ImproperlyConfigured as exc:
        print(f"serve.py: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s %(message)s", level=level)
    listeners = []
    slots = []
    if web_count:
        listener = listening_socket(host, port, "PORT")
        listeners.append(listener)
        slots += [Slot(f"web {n}", [sys.executable, __file__, WEB_PROCESS_FLAG, "--fd", str(listener.fileno()),
                                    *daphne_options, "asgi:application"], pass_fds=(listener.fileno(),))
                  for n in range(1, web_count + 1)]
    if http_count:
        listener = listening_socket(host, http_port, "HTTP_PORT")
        listeners.append(listener)
        slots.append(http_workers(listener, http_count, settings.SYNC_THREADS, level))
    slots += [Slot(f"worker {n}", [sys.executable, str(ROOT / "manage.py"), "qcluster"])
              for n in range(1, worker_count + 1)]
    if not slots:
        print("serve.py: WEB_PROCESSES, HTTP_WORKERS and WORKER_CLUSTERS are all 0: nothing to run", file=sys.stderr)
        return 2
    if web_count:
        logger.info("FocusHub on http://%s:%d: %d web processes (API docs: /docs, live board: /live)",
                    host, port, web_count)
    if http_count:
        logger.info("HTTP workers on http://%s:%d: %d processes of %d threads (plain HTTP; the proxy sends "
                    "everything but /ws/ here)", host, http_port, http_count, settings.SYNC_THREADS)
    logger.info("%d worker clusters", worker_count)
    return Supervisor(slots, listeners).run()


if __name__ == "__main__":
    if sys.argv[1:2] == [WEB_PROCESS_FLAG]:
        web_process(sys.argv[2:])
    else:
        sys.exit(supervise(sys.argv[1:]))
