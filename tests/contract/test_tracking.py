"""The contract of the time-entry, timer, export and overview endpoints: a person only
ever reaches their own entries, and tracks only where their role allows."""

from tests.support.cast import moment
from tests.support.contract import Endpoint, contract


def _entry(world) -> dict:
    return {"project": world.project, "start_time": moment(hours=5).isoformat(),
            "end_time": moment(hours=4).isoformat()}


ENDPOINTS = (
    Endpoint("GET", "/time-entries", allowed="signed_in", status=200, max_queries=2,
             invalid={"from": "yesterday"}),
    Endpoint("POST", "/time-entries", allowed="contributor", scope="project", status=201, max_queries=21,
             body=_entry, invalid=lambda w: {**_entry(w), "start_time": "soon"}),
    Endpoint("GET", "/time-entries/{entry}", allowed="author", status=200, max_queries=2),
    Endpoint("PATCH", "/time-entries/{entry}", allowed="author", status=200, max_queries=8,
             body={"description": "renamed"}, invalid={"start_time": "soon"}),
    Endpoint("DELETE", "/time-entries/{entry}", allowed="author", status=204, max_queries=18),
    Endpoint("POST", "/time-entries/start", allowed="contributor", scope="project", status=201, max_queries=21,
             body=lambda w: {"project": w.project}, invalid={"project": "twelve"}),
    Endpoint("POST", "/time-entries/stop", allowed="signed_in", status=200, max_queries=16),
    Endpoint("GET", "/time-entries/current", allowed="signed_in", status=200, max_queries=2),
    Endpoint("GET", "/time-entries/export", allowed="signed_in", status=200, max_queries=2,
             invalid={"format": "pdf"}),
    Endpoint("GET", "/activity/overview", allowed="signed_in", status=200, max_queries=8,
             invalid={"from": "last monday"}),
)

TestTrackingEndpoints = contract(*ENDPOINTS)
