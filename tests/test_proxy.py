"""Behind a proxy the client is who the proxy says, and only a trusted proxy is believed
(api/proxy.py): the throttles count clients, not the proxy, and nobody else can name a
fresh address per attempt; the links the app writes carry the scheme the client used.
The same rule runs under daphne and gunicorn; tests/test_nginx.py drives it through a
real nginx."""

import pytest
from django.test import override_settings

from api.proxy import client_address, client_scheme
from focushub.env import env_networks

TRUSTED = env_networks("UNSET_IN_THE_SUITE", ["127.0.0.1", "10.0.0.0/8", "::1"])


@override_settings(FORWARDED_ALLOW_IPS=TRUSTED)
@pytest.mark.parametrize(("peer", "forwarded_for", "client"), [
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # the proxy names the client
    ("10.1.2.3", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the address the proxy itself saw
    ("::1", "2001:db8::5", "2001:db8::5"),
    ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # a stranger's header is not believed
    ("127.0.0.1", "not-an-address", "127.0.0.1"),  # nor a header that names no address
    ("127.0.0.1", None, "127.0.0.1"),
])
def test_the_client_is_who_a_trusted_proxy_says(peer, forwarded_for, client):
    assert client_address(peer, forwarded_for) == client


@override_settings(FORWARDED_ALLOW_IPS=TRUSTED)
@pytest.mark.parametrize(("peer", "forwarded_proto", "scheme"), [
    ("127.0.0.1", "https", "https"),  # TLS ended at the proxy
    ("10.1.2.3", "http", "http"),
    ("::1", "HTTPS", "https"),
    ("10.1.2.3", "http, https", "https"),  # the last one: what the trusted proxy saw
    ("198.51.100.9", "https", None),  # a stranger's header is not believed
    ("127.0.0.1", "gopher", None),  # nor a scheme the app does not serve
    ("127.0.0.1", None, None),
])
def test_the_scheme_is_what_a_trusted_proxy_says(peer, forwarded_proto, scheme):
    assert client_scheme(peer, forwarded_proto) == scheme
