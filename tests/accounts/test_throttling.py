"""Login is throttled per identifier and per client IP, signup per client IP. Each test
runs its own daphne with low rates (the suite's server is configured not to throttle)."""

from focushub.accounts.models import User
from tests.support.cast import STRONG_PASSWORD, signed_up, signup
from tests.support.clients import Api
from tests.support.contract import assert_error
from tests.support.names import unique_name
from tests.support.processes import free_port


def assert_throttled(response) -> None:
    assert_error(response, 429, "throttled")
    assert int(response.headers["Retry-After"]) > 0


def test_login_is_throttled_per_identifier_whatever_its_case(start_server, anon):
    server = start_server(LOGIN_THROTTLE_RATE="3/min", LOGIN_IP_THROTTLE_RATE="100/min")
    api = Api(server.url)
    victim = signed_up(anon)["user"]["username"]
    for spelling in (victim, victim.upper(), f" {victim.lower()} "):
        response = api.post("/auth/login", json={"login": spelling, "password": "guess-number-one"})
        assert_error(response, 401, "invalid_credentials")
    # Even the right password waits now: the throttle answers before the password is checked.
    assert_throttled(api.post("/auth/login", json={"login": victim, "password": STRONG_PASSWORD}))
    other = signed_up(anon)["user"]["username"]
    assert api.post("/auth/login", json={"login": other, "password": STRONG_PASSWORD}).status_code == 200


def test_login_throttle_per_identifier_counts_unknown_accounts_too(start_server):
    server = start_server(LOGIN_THROTTLE_RATE="2/min", LOGIN_IP_THROTTLE_RATE="100/min")
    api = Api(server.url)
    for _ in range(2):
        assert_error(api.post("/auth/login", json={"login": "ghost", "password": "x"}), 401, "invalid_credentials")
    assert_throttled(api.post("/auth/login", json={"login": "ghost", "password": "x"}))


def test_login_is_throttled_per_client_ip_across_identifiers(start_server, anon):
    server = start_server(LOGIN_THROTTLE_RATE="100/min", LOGIN_IP_THROTTLE_RATE="4/min")
    api = Api(server.url)
    for index in range(4):
        response = api.post("/auth/login", json={"login": f"nobody{index}", "password": "x"})
        assert_error(response, 401, "invalid_credentials")
    real = signed_up(anon)["user"]["username"]
    assert_throttled(api.post("/auth/login", json={"login": real, "password": STRONG_PASSWORD}))


def test_a_spoofed_forwarded_for_header_does_not_reset_the_ip_budget(start_server):
    # The proxy is elsewhere (FORWARDED_ALLOW_IPS): this client's header is not believed.
    server = start_server(LOGIN_THROTTLE_RATE="100/min", LOGIN_IP_THROTTLE_RATE="2/min",
                          FORWARDED_ALLOW_IPS="10.0.0.0/8")
    api = Api(server.url)
    for index in range(2):
        api.post("/auth/login", json={"login": f"probe{index}", "password": "x"})
    response = api.post(
        "/auth/login", json={"login": "probe9", "password": "x"}, headers={"X-Forwarded-For": "203.0.113.77"}
    )
    assert_throttled(response)


def test_behind_a_trusted_proxy_each_client_it_names_has_its_own_budget(start_server):
    server = start_server(LOGIN_THROTTLE_RATE="100/min", LOGIN_IP_THROTTLE_RATE="2/min")  # the proxy: this machine
    api = Api(server.url)

    def attempt(client: str, index: int):
        return api.post("/auth/login", json={"login": f"probe{index}", "password": "x"},
                        headers={"X-Forwarded-For": client})

    for index in range(2):
        assert_error(attempt("203.0.113.1", index), 401, "invalid_credentials")
    assert_error(attempt("203.0.113.2", 2), 401, "invalid_credentials")
    assert_throttled(attempt("203.0.113.1", 3))


def test_signup_is_throttled_per_client_ip_and_creates_nothing_once_throttled(start_server):
    server = start_server(SIGNUP_THROTTLE_RATE="2/hour")
    api = Api(server.url)
    assert signup(api).status_code == 201
    assert_error(signup(api, "x"), 400, "validation_error")  # refused attempts count too
    name = unique_name("late")
    assert_throttled(signup(api, name))
    assert not User.objects.filter(username=name).exists()


def test_refreshing_tokens_is_not_counted_as_logging_in(start_server, anon):
    server = start_server(LOGIN_IP_THROTTLE_RATE="1/min")
    api = Api(server.url)
    name = signed_up(anon)["user"]["username"]
    refresh = api.post("/auth/login", json={"login": name, "password": STRONG_PASSWORD}).json()["refresh"]
    for _ in range(3):
        response = api.post("/auth/refresh", json={"refresh": refresh})
        assert response.status_code == 200, response.text
        refresh = response.json()["refresh"]
    assert_throttled(api.post("/auth/login", json={"login": name, "password": STRONG_PASSWORD}))


def test_login_stays_throttled_while_redis_is_gone(start_server, anon):
    """With the shared cache unreachable the budget is counted per process, not dropped."""
    server = start_server(LOGIN_THROTTLE_RATE="3/min", LOGIN_IP_THROTTLE_RATE="100/min",
                          REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    api = Api(server.url)
    victim = signed_up(anon)["user"]["username"]
    for _ in range(3):
        assert_error(api.post("/auth/login", json={"login": victim, "password": "a guess"}), 401, "invalid_credentials")
    assert_throttled(api.post("/auth/login", json={"login": victim, "password": "another guess"}))
