"""The contract of badges, timelines, public profiles and hiding someone from the boards:
readers are any signed-in person (a private project's timeline: its members only),
writers are admins."""

import base64

from tests.support.contract import Endpoint, contract

TAMPERED_CURSOR = {"cursor": base64.b64encode(b"p=notadate").decode()}
MARATHON = {"slug": "marathon", "name": "Marathon", "criteria": {"type": "total_time", "seconds": 151200}}

ENDPOINTS = (
    Endpoint("GET", "/badges", allowed="signed_in", status=200, max_queries=9),
    Endpoint("POST", "/badges", allowed="admin", status=201, max_queries=9, body=MARATHON,
             invalid={**MARATHON, "criteria": {"type": "luck"}}),
    Endpoint("GET", "/badges/{badge}", allowed="signed_in", status=200, max_queries=3),
    Endpoint("PATCH", "/badges/{badge}", allowed="admin", status=200, max_queries=10,
             body={"name": "Renamed"}, invalid={"criteria": {"type": "luck"}}),
    Endpoint("GET", "/timeline", allowed="signed_in", status=200, max_queries=2, invalid=TAMPERED_CURSOR),
    Endpoint("GET", "/projects/{project}/timeline", allowed="viewer", status=200, max_queries=3,
             invalid=TAMPERED_CURSOR),
    Endpoint("GET", "/users/{username}", allowed="signed_in", status=200, max_queries=7),
    Endpoint("GET", "/users/{username}/timeline", allowed="signed_in", status=200, max_queries=3,
             invalid=TAMPERED_CURSOR),
    Endpoint("GET", "/users/{username}/leaderboard-hidden", allowed="admin", status=200, max_queries=2),
    Endpoint("PUT", "/users/{username}/leaderboard-hidden", allowed="admin", status=200, max_queries=7,
             body={"hidden": True, "reason": "Tracked in their sleep."}, invalid={"hidden": "maybe"}),
)

TestGamificationEndpoints = contract(*ENDPOINTS)
