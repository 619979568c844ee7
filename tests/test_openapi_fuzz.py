"""schemathesis over /openapi.json with all of its checks: a request the document calls
valid is accepted (or refused only by a rule schemathesis.toml names, which no schema can
state), one it calls invalid is refused, every answer has a documented status, type,
headers and shape, and nothing answers 5xx (the session server also fails the run on any
"Internal Server Error" in its log, tests/conftest.py).

Seeded and short here: signed in and without a token, and a stateful run that follows the
document's links from a new project to its timer and entries. By hand, longer and with
the phase that walks every boundary value (docs/api.md, "Fuzzing the API"):
FUZZ_API_PHASES=coverage,fuzzing,stateful FUZZ_API_EXAMPLES=30 bin/test tests/test_openapi_fuzz.py"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

CONFIG = Path(__file__).resolve().parents[1] / "schemathesis.toml"
SEED = os.environ.get("FUZZ_SEED", "20261129")
EXAMPLES = os.environ.get("FUZZ_API_EXAMPLES", "5")
PHASES = os.environ.get("FUZZ_API_PHASES", "fuzzing,stateful")
# A new project, the timer and the manual entries on it, and an entry's own operations.
PROJECT_TO_ENTRIES = (
    "POST /projects/", "GET /projects/{project_id}/", "POST /time-entries/", "POST /time-entries/start/",
    "GET /time-entries/{entry_id}/", "PATCH /time-entries/{entry_id}/", "DELETE /time-entries/{entry_id}/",
)


def schemathesis(url: str, workdir: Path, *arguments: str) -> list[dict]:
    """Run it; fail with its report unless every check passed. Returns its events."""
    executable = Path(sys.executable).with_name("schemathesis")
    run = subprocess.run(
        [str(executable), "--config-file", str(CONFIG), "run", f"{url}/openapi.json", "--checks", "all",
         "--seed", SEED, "--workers", "1", "--no-color", "--request-timeout", "15",
         "--report", "ndjson", "--report-dir", str(workdir / "report"), *arguments],
        capture_output=True, text=True, timeout=900, cwd=workdir,  # its example cache stays out of the tree
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout  # it generated and sent requests, it did not just load the schema
    return [json.loads(line) for report in (workdir / "report").glob("*.ndjson") for line in report.open()]


def followed_links(events: list[dict]) -> set[tuple[str, str]]:
    """(source, target) of every link declared in the document (not one schemathesis
    inferred) whose values a stateful step used."""
    followed = set()
    for event in events:
        for case in event.get("ScenarioFinished", {}).get("recorder", {}).get("cases", {}).values():
            transition = case.get("transition")
            if transition and not transition["is_inferred"] and case["is_transition_applied"]:
                source, _, target = transition["id"].partition(" -> ")
                followed.add((source, target.rpartition(" -> ")[2]))
    return followed


@pytest.mark.parametrize("caller", ["signed-in", "anonymous"])
def test_every_generated_request_gets_the_documented_answer(live, person, caller, tmp_path):
    """Signed in, and without any token: the anonymous run is the one that found a 500
    in an admin-only operation whose permission assumed a user. It leaves out /auth, whose
    doors ignore a token, so the signed-in run has already sent them the same requests."""
    if caller == "signed-in":
        who = ["--header", f"Authorization: Bearer {person().token}"]
    else:
        who = ["--exclude-path-regex", "^/auth/"]
    schemathesis(live.url, tmp_path, *who, "--max-examples", EXAMPLES, "--phases", PHASES)


def test_the_stateful_phase_follows_the_links_from_a_new_project_to_its_entries(live, person, tmp_path):
    only = [argument for name in PROJECT_TO_ENTRIES for argument in ("--include-name", name)]
    events = schemathesis(
        live.url, tmp_path, "--header", f"Authorization: Bearer {person().token}", *only,
        "--max-examples", "10", "--phases", "stateful",
    )
    followed = followed_links(events)
    creating_entries = {"POST /time-entries/", "POST /time-entries/start/"}
    on_the_entry = {name for name in PROJECT_TO_ENTRIES if "{entry_id}" in name}
    assert ("POST /projects/", "GET /projects/{project_id}/") in followed, followed
    assert any(("POST /projects/", creating) in followed for creating in creating_entries), followed
    assert any((creating, target) in followed for creating in creating_entries for target in on_the_entry), followed
