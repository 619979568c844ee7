"""The contract of GET /leaderboard: open to anyone, except a private project's boards,
which only its members can tell from a project that does not exist."""

from tests.support.contract import Endpoint, contract

ENDPOINTS = (
    Endpoint("GET", "/leaderboard", allowed="anyone", status=200, max_queries=4, invalid={"metric": "speed"}),
    Endpoint("GET", "/leaderboard?project={project}&period=all", allowed="viewer", open=True, status=200,
             max_queries=7, invalid={"period": "decade"}),
)

TestLeaderboardEndpoints = contract(*ENDPOINTS)
