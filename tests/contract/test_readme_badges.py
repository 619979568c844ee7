"""The contract of the README badges (docs/api.md, "Badges for READMEs"): open to anyone,
a private project's badge a 404 like a missing one, a bad metric or period a 400."""

from tests.support.contract import Endpoint, contract

ENDPOINTS = (
    Endpoint("GET", "/users/{username}/badge.svg?metric=time&period=week", allowed="anyone", status=200,
             max_queries=2, invalid={"period": "decade"}),
    Endpoint("GET", "/projects/{project}/badge.svg", allowed="viewer", open=True, status=200, max_queries=7,
             invalid={"metric": "badges"}),
)

TestReadmeBadgeEndpoints = contract(*ENDPOINTS)
