"""The contract of the project and member endpoints (tests/support/contract.py): who may
call each, what a stranger learns of a private project (nothing), what is refused."""

from tests.support.contract import Endpoint, contract

ENDPOINTS = (
    Endpoint("GET", "/projects", allowed="signed_in", status=200, max_queries=3,
             invalid={"visibility": "secret"}),
    Endpoint("POST", "/projects", allowed="signed_in", status=201, max_queries=6,
             body={"name": "Thesis", "visibility": "public"}, invalid={"name": ""}),
    Endpoint("GET", "/projects/{project}", allowed="viewer", status=200, max_queries=2),
    Endpoint("GET", "/projects/{project}/", allowed="viewer", status=200, max_queries=2),
    Endpoint("PATCH", "/projects/{project}", allowed="maintainer", status=200, max_queries=9,
             body={"description": "changed"}, invalid={"color": "red"}),
    Endpoint("DELETE", "/projects/{project}", allowed="owner", status=204, max_queries=30),
    Endpoint("GET", "/projects/{project}/members", allowed="viewer", status=200, max_queries=4),
    Endpoint("POST", "/projects/{project}/members", allowed="maintainer", status=201, max_queries=11,
             body=lambda w: {"username": w.user("newcomer").username, "role": "viewer"},
             invalid=lambda w: {"username": w.user("newcomer").username, "role": "owner"}),
    Endpoint("PATCH", "/projects/{project}/members/{member}", allowed="maintainer", status=200, max_queries=13,
             body={"role": "viewer"}, invalid={"role": "admin"}),
    Endpoint("DELETE", "/projects/{project}/members/{member}", allowed="maintainer", status=204, max_queries=13),
    Endpoint("DELETE", "/projects/{project}/members/{member}/", allowed="maintainer", status=204, max_queries=13),
)

TestProjectEndpoints = contract(*ENDPOINTS)
