"""The contract of GET /badges/recent, the ticker on /live: open to anyone, one query."""

from tests.support.contract import Endpoint, contract

ENDPOINTS = (
    Endpoint("GET", "/badges/recent", allowed="anyone", status=200, max_queries=1, invalid={"limit": "0"}),
)

TestRecentUnlockEndpoints = contract(*ENDPOINTS)
