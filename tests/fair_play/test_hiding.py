"""Admins take a cheater off the boards without deleting anything: every board drops
them at once (spectators see it), they come back when unhidden, the timeline keeps the
decision privately, and the person is not told."""

from datetime import timedelta

from focushub.timeline.models import Event
from tests.fair_play.conftest import board
from tests.realtime.streams import first
from tests.support.cast import log_entry, midnight_days_ago, new_project
from tests.support.clients import Api, Socket


def test_a_hidden_person_leaves_every_board_at_once_and_comes_back_when_shown(player, fair_server):
    admin, cheat, honest = player(role="admin"), player(), player()
    project = new_project(cheat)
    day = midnight_days_ago(1)
    log_entry(cheat, project, day, day + timedelta(hours=20))
    log_entry(honest, new_project(honest), day, day + timedelta(hours=2))
    spectator = Socket(f"{fair_server.ws_url}/ws/leaderboard?period=all")
    assert [row["user"]["id"] for row in first(spectator, "leaderboard.snapshot")["rows"]] == [cheat.id, honest.id]

    hidden = admin.api.put(f"/users/{cheat.username}/leaderboard-hidden",
                           json={"hidden": True, "reason": "20 h typed in for yesterday"})
    assert hidden.status_code == 200, hidden.text
    assert hidden.json() | {"user": None} == {"user": None, "hidden": True, "reason": "20 h typed in for yesterday",
                                              "hidden_by": {"id": admin.id, "username": admin.username,
                                                            "avatar_url": ""}}
    update = first(spectator, "leaderboard.update")
    assert [row["user"]["id"] for row in update["rows"]] == [honest.id]
    assert board(honest, period="all") == {honest.id: 7200}
    assert board(honest, period="all", project=project) == {}

    # Nothing of theirs is gone, and nothing tells them.
    assert len(cheat.api.get("/time-entries").json()["results"]) == 1
    me = cheat.api.get("/users/me").json()
    profile = cheat.api.get(f"/users/{cheat.username}").json()
    assert not any("hidden" in key for key in (*me, *profile))
    assert not Event.objects.filter(actor_id=cheat.id, kind__startswith="user.leaderboard").exists()
    assert not any(e["kind"].startswith("user.leaderboard") for e in cheat.api.get("/timeline").json()["results"])
    recorded = admin.api.get("/timeline").json()["results"][0]
    assert (recorded["kind"], recorded["payload"]["user"]["id"]) == ("user.leaderboard_hidden", cheat.id)

    # New time while hidden stays off the boards too; shown again, all of it counts.
    log_entry(cheat, project, day + timedelta(hours=21), day + timedelta(hours=22))
    assert board(honest, period="all") == {honest.id: 7200}
    assert admin.api.put(f"/users/{cheat.username}/leaderboard-hidden", json={"hidden": False}).status_code == 200
    update = first(spectator, "leaderboard.update")
    assert [(row["user"]["id"], row["score"]) for row in update["rows"]] == [(cheat.id, 21 * 3600), (honest.id, 7200)]
    spectator.close()


def test_only_admins_may_hide_and_they_must_say_why(player):
    admin, someone, target = player(role="admin"), player(), player()
    path = f"/users/{target.username}/leaderboard-hidden"
    assert someone.api.put(path, json={"hidden": True, "reason": "no"}).json()["code"] == "forbidden"
    assert someone.api.get(path).status_code == 403
    anonymous = Api(someone.api.base_url)
    assert [anonymous.get(path).status_code, anonymous.put(path, json={"hidden": True}).status_code] == [401, 401]
    missing_reason = admin.api.put(path, json={"hidden": True})
    assert (missing_reason.status_code, list(missing_reason.json()["errors"])) == (400, ["reason"])
    nobody = admin.api.put("/users/nobody-here/leaderboard-hidden", json={"hidden": True, "reason": "x"})
    assert nobody.status_code == 404
    assert admin.api.get(path).json()["hidden"] is False


def test_the_admin_site_hides_through_the_same_rule(player, admin_client):
    target = player()
    project = new_project(target)
    log_entry(target, project, midnight_days_ago(1), midnight_days_ago(1) + timedelta(hours=1))
    page = admin_client.get(f"/admin/accounts/user/{target.id}/change/")
    form = {field: value for field, value in page.context["adminform"].form.initial.items() if value is not None}
    form.update({"leaderboard_hidden": "on", "leaderboard_hidden_reason": "bot traffic", "role": "user",
                 "timezone": "UTC", "username": target.username, "email": target.user.email,
                 "created_at": "", "last_login": ""})
    form.pop("leaderboard_hidden_by", None)
    saved = admin_client.post(f"/admin/accounts/user/{target.id}/change/", form)
    assert saved.status_code == 302, saved.content[:2000]
    assert board(target, period="all") == {}
    assert Event.objects.filter(kind="user.leaderboard_hidden", payload__reason="bot traffic").exists()
