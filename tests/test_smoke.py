def test_health_endpoint_answers_on_a_live_daphne(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
