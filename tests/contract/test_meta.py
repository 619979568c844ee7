"""The contract of the endpoints operators and client generators read without a token."""

from tests.support.contract import Endpoint, contract

ENDPOINTS = (
    Endpoint("GET", "/healthz", allowed="anyone", status=200, max_queries=0),
    Endpoint("GET", "/readyz", allowed="anyone", status=200, max_queries=1),
    Endpoint("GET", "/openapi.json", allowed="anyone", status=200, max_queries=0),
    Endpoint("GET", "/docs", allowed="anyone", status=200, max_queries=0),
)

TestMetaEndpoints = contract(*ENDPOINTS)
