"""GET /badges (catalog with the caller's earned_at and progress), POST /badges and
PATCH /badges/{id} (admins only, criteria validated), and the Django admin form."""

import pytest
import requests

from focushub.badges.models import Badge, UserBadge
from focushub.badges.services import badges_evaluate
from tests.gamification.conftest import NEW, badge
from tests.support.cast import image_bytes, moment, project_row, track


@pytest.fixture
def user(person, empty_catalog):
    return person()


def test_the_catalog_shows_active_badges_with_my_earned_at_and_progress(user):
    project = project_row(user.user)
    first = badge("first", {"type": "entries", "count": 1})
    hour = badge("hour", {"type": "total_time", "seconds": 3600})
    badge("retired", {"type": "entries", "count": 1}, active=False)
    track(user.user, project, start=moment(hours=3), minutes=15)
    badges_evaluate(user_id=user.id)
    body = user.api.get("/badges").json()
    assert (body["next"], body["previous"]) == (None, None)
    rows = {row["slug"]: row for row in body["results"]}
    assert set(rows) == {"first", "hour"}
    earned = UserBadge.objects.get(user=user.user, badge=first)
    assert rows["first"] == {
        "id": first.pk, "slug": "first", "name": "First", "description": "",
        "criteria": {"type": "entries", "count": 1}, "image_url": "", "active": True,
        "earned_at": earned.awarded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "progress": {"current": 1, "target": 1, "ratio": 1.0},
    }
    assert rows["hour"]["id"] == hour.pk
    assert rows["hour"]["earned_at"] is None
    assert rows["hour"]["progress"] == {"current": 900, "target": 3600, "ratio": 0.25}
    assert user.api.get(f"/badges/{hour.pk}/").json()["progress"]["current"] == 900


def test_admins_also_see_inactive_badges(admin, user):
    badge("retired", {"type": "entries", "count": 1}, active=False)
    assert [row["slug"] for row in admin.api.get("/badges/").json()["results"]] == ["retired"]
    assert user.api.get("/badges").json()["results"] == []


def test_the_catalog_costs_the_same_few_queries_however_many_badges(user, client, django_assert_max_num_queries):
    for n in range(1, 6):
        for criteria in ({"type": "total_time", "seconds": n * 60}, {"type": "project_time", "seconds": n * 60},
                         {"type": "entries", "count": n}, {"type": "streak", "days": n},
                         {"type": "projects_created", "count": n}, {"type": "early_bird", "before": f"0{n}:00"},
                         {"type": "night_owl", "after": f"2{n - 1}:00"}):
            badge(f"{criteria['type'].replace('_', '-')}-{n}", criteria)
    project = project_row(user.user)
    for day in range(3):
        track(user.user, project, start=moment(hours=24 * day + 2), minutes=20)
    # user, page of badges, credited total, credited per project, entry facts, projects,
    # streak (first entry + days)
    with django_assert_max_num_queries(9):
        response = client.get("/badges", HTTP_AUTHORIZATION=f"Bearer {user.token}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 35


def test_an_admin_creates_a_badge(admin):
    response = admin.api.post("/badges", json=NEW)
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("slug", "name", "criteria", "active", "earned_at")} == {
        "slug": "marathon", "name": "Marathon", "criteria": NEW["criteria"], "active": True, "earned_at": None,
    }
    assert body["progress"] == {"current": 0, "target": 151200, "ratio": 0.0}
    assert Badge.objects.get(slug="marathon").criteria == NEW["criteria"]


@pytest.mark.parametrize(
    "criteria",
    [
        {"type": "total_time"},
        {"type": "total_time", "seconds": -1},
        {"type": "total_time", "seconds": "lots"},
        {"type": "moon_phase", "seconds": 1},
        {"type": "early_bird", "before": "25:00"},
        "not json",
        ["type", "entries"],
    ],
)
def test_invalid_criteria_are_a_400_naming_the_criteria_field(admin, criteria):
    response = admin.api.post("/badges", json={**NEW, "criteria": criteria})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]) == ["criteria"]
    assert not Badge.objects.filter(slug="marathon").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Not a slug!"}, "slug"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"active": "perhaps"}, "active"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_other_bad_fields_are_a_400_naming_them(admin, change, field):
    response = admin.api.post("/badges", json={**NEW, **change})
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_malformed_bodies_are_400_not_500(admin):
    response = admin.api.post("/badges", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert admin.api.post("/badges", json=[1, 2]).status_code == 400


def test_a_duplicate_slug_is_a_400_on_slug(admin):
    badge("marathon", {"type": "entries", "count": 1})
    response = admin.api.post("/badges", json=NEW)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["slug"]


def test_an_admin_updates_a_badge_partially_and_past_awards_stay(admin, user):
    first = badge("first", {"type": "entries", "count": 1})
    track(user.user, project_row(user.user), start=moment(hours=2), minutes=5)
    badges_evaluate(user_id=user.id)
    response = admin.api.patch(f"/badges/{first.pk}/", json={"criteria": {"type": "entries", "count": 5},
                                                             "description": "Five entries."})
    assert response.status_code == 200, response.text
    assert response.json()["criteria"] == {"type": "entries", "count": 5}
    first.refresh_from_db()
    assert (first.name, first.description, first.criteria["count"]) == ("First", "Five entries.", 5)
    mine = user.api.get(f"/badges/{first.pk}").json()
    assert mine["earned_at"] is not None
    assert mine["progress"] == {"current": 1, "target": 5, "ratio": 0.2}


def test_patch_refuses_bad_criteria_and_unknown_badges(admin):
    first = badge("first", {"type": "entries", "count": 1})
    response = admin.api.patch(f"/badges/{first.pk}", json={"criteria": {"type": "entries", "count": 0}})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["criteria"]
    assert Badge.objects.get(pk=first.pk).criteria == {"type": "entries", "count": 1}
    for path in ("/badges/999999", "/badges/abc", "/badges/99999999999999999999999"):
        assert admin.api.patch(path, json={"name": "x"}).status_code == 404
        assert admin.api.get(path).status_code == 404


def test_a_badge_image_uploaded_without_cloudinary_is_served_from_local_media(admin):
    response = admin.api.post(
        "/badges", data={**NEW, "criteria": '{"type": "entries", "count": 3}'},
        files={"image": ("medal.png", image_bytes(), "image/png")},
    )
    assert response.status_code == 201, response.text
    url = response.json()["image_url"]
    assert url.startswith(admin.api.base_url + "/media/badges/") and url.endswith(".png")
    served = requests.get(url, timeout=5)
    assert served.status_code == 200
    assert served.content == image_bytes()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"GIF89a but not really", "valid PNG"), (image_bytes(size=(3000, 3000)), "too many pixels")],
)
def test_a_bad_badge_image_is_a_400_on_image(admin, content, message):
    response = admin.api.post(
        "/badges", data={**NEW, "criteria": '{"type": "entries", "count": 3}'},
        files={"image": ("medal.png", content, "image/png")},
    )
    assert response.status_code == 400
    assert message in response.json()["errors"]["image"][0]
    assert not Badge.objects.filter(slug="marathon").exists()


def test_the_django_admin_form_validates_criteria(admin, client):
    client.force_login(admin.user)
    form = {"slug": "admin-made", "name": "Admin made", "description": "", "image_url": "", "active": "on"}
    refused = client.post("/admin/badges/badge/add/", {**form, "criteria": '{"type": "entries", "count": -2}'})
    assert refused.status_code == 200
    assert "must be a positive integer" in refused.content.decode()
    assert not Badge.objects.filter(slug="admin-made").exists()
    accepted = client.post("/admin/badges/badge/add/", {**form, "criteria": '{"type": "entries", "count": 2}'})
    assert accepted.status_code == 302
    assert Badge.objects.get(slug="admin-made").criteria == {"type": "entries", "count": 2}
