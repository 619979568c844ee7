"""manage.py seed_demo, run as a person runs it: a few lines of progress (a bar redrawn
in place on a terminal), then a summary that tells the truth about what was made, the
login and where to look. No log lines."""

import os
import pty
import re
import subprocess
import sys

from focushub.accounts.models import User
from focushub.badges.models import UserBadge
from focushub.projects.models import Project
from focushub.tracking.models import TimeEntry
from tests.support.processes import ROOT, server_env

COMMAND = [sys.executable, "manage.py", "seed_demo", "--users", "4", "--projects", "2", "--days", "2"]
ADDRESS = {"HOST": "127.0.0.1", "PORT": "8123"}  # where bin/run would serve
SUMMARY = re.compile(
    r"Seeded (\d+) people, (\d+) projects, (\d+) time entries \((\d+) still running\) and (\d+) badges in \d+ s\."
)


def run_in_a_terminal() -> str:
    """The command's output as a terminal shows it: \\r redraws, \\r\\n ends lines."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(COMMAND, cwd=ROOT, env=server_env(**ADDRESS), stdin=follower, stdout=follower,
                            stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the command ended and closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=300) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_log_gets_a_few_progress_lines_and_a_summary_that_matches_the_data(live):
    result = subprocess.run(COMMAND, cwd=ROOT, env=server_env(**ADDRESS), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no log lines, no warnings
    lines = result.stdout.splitlines()
    assert len(lines) <= 8, lines
    summary = SUMMARY.search(result.stdout)
    assert summary, result.stdout
    people, projects, entries, running, badges = map(int, summary.groups())
    assert (people, projects) == (4, 2) == (User.objects.count(), Project.objects.count())
    assert entries == TimeEntry.objects.filter(end_time__isnull=False).count() > 0
    assert running == TimeEntry.objects.filter(end_time__isnull=True).count() > 0
    assert badges == UserBadge.objects.count()
    assert "Demo login: demo / focushub-demo" in result.stdout
    assert "http://127.0.0.1:8123/live" in result.stdout
    assert "http://127.0.0.1:8123/docs" in result.stdout


def test_a_terminal_gets_one_bar_redrawn_in_place_then_the_summary(live):
    lines = run_in_a_terminal().rstrip("\n").split("\n")  # not splitlines(): it splits at \r too
    bar = lines[0]
    assert bar.count("\r[") > 3  # drawn and redrawn on one line
    assert bar.rstrip().endswith("100%  leaderboards")
    assert SUMMARY.search(lines[1])
    assert "Demo login: demo / focushub-demo" in lines[2]
    assert len(lines) == 5, lines
