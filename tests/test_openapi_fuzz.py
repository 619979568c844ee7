"""schemathesis over /openapi.json as a signed-in user: whatever it generates from the
document, nothing answers 5xx (its not_a_server_error check; the session server also
fails the run on any "Internal Server Error" in its log, tests/conftest.py).

Seeded and short here; by hand, a longer run that also walks every boundary value:
FUZZ_API_PHASES=coverage,fuzzing FUZZ_API_EXAMPLES=200 bin/test tests/test_openapi_fuzz.py
(docs/api.md, "Fuzzing the API")."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

SEED = os.environ.get("FUZZ_SEED", "20261129")
EXAMPLES = os.environ.get("FUZZ_API_EXAMPLES", "10")
PHASES = os.environ.get("FUZZ_API_PHASES", "fuzzing")


@pytest.mark.parametrize("caller", ["signed-in", "anonymous"])
def test_no_generated_request_gets_a_server_error(live, make_actor, caller, tmp_path):
    """Signed in, and without any token: the anonymous run is the one that found a 500
    in an admin-only operation whose permission assumed a user."""
    auth = ["--header", f"Authorization: Bearer {make_actor().token}"] if caller == "signed-in" else []
    schemathesis = Path(sys.executable).with_name("schemathesis")
    run = subprocess.run(
        [str(schemathesis), "run", f"{live.url}/openapi.json", "--checks", "not_a_server_error", *auth,
         "--seed", SEED, "--max-examples", EXAMPLES, "--phases", PHASES, "--workers", "1", "--no-color",
         "--request-timeout", "15"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,  # its example cache stays out of the tree
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout  # it generated and sent requests, it did not just load the schema
