def test_health_endpoint_answers_on_a_live_daphne(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_browsers_get_an_icon_not_a_404(anon):
    response = anon.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml" and response.text.startswith("<svg")
