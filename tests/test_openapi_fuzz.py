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
# The operations on a project and on time entries, and those that create them.
PROJECTS_AND_ENTRIES = r"^/(projects/(\{project_id\}/)?|time-entries/(\{entry_id\}/|start/)?)$"


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
def test_every_generated_request_gets_the_documented_answer(live, make_actor, caller, tmp_path):
    """Signed in, and without any token: the anonymous run is the one that found a 500
    in an admin-only operation whose permission assumed a user."""
    auth = ["--header", f"Authorization: Bearer {make_actor().token}"] if caller == "signed-in" else []
    schemathesis(live.url, tmp_path, *auth, "--max-examples", EXAMPLES, "--phases", PHASES)


def test_the_stateful_phase_follows_the_links_from_a_new_project_to_its_entries(live, make_actor, tmp_path):
    events = schemathesis(
        live.url, tmp_path, "--header", f"Authorization: Bearer {make_actor().token}",
        "--max-examples", "10", "--phases", "stateful", "--include-path-regex", PROJECTS_AND_ENTRIES,
    )
    on_the_project = {f"{method} /projects/{{project_id}}/" for method in ("GET", "PATCH", "DELETE")}
    on_the_entry = {f"{method} /time-entries/{{entry_id}}/" for method in ("GET", "PATCH", "DELETE")}
    creating_entries = {"POST /time-entries/", "POST /time-entries/start/"}
    followed = followed_links(events)
    steps = [({"POST /projects/"}, on_the_project), ({"POST /projects/"}, creating_entries),
             (creating_entries, on_the_entry)]
    for sources, targets in steps:
        assert any(source in sources and target in targets for source, target in followed), (sources, followed)
