"""Login, tokens and project membership management."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import api_client


@pytest.mark.django_db
def test_token_exchange_and_me(make_user):
    make_user("ann")
    client = APIClient()
    bad = client.post("/api/auth/token/", {"username": "ann", "password": "nope"}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"detail": "Wrong username or password."}
    good = client.post(
        "/api/auth/token/", {"username": "ann", "password": "pw-12345678"}, format="json"
    )
    assert good.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {good.json()['token']}")
    me = client.get("/api/auth/me/").json()
    assert me["username"] == "ann" and me["is_superuser"] is False


@pytest.mark.django_db
def test_anonymous_is_refused(personas):
    client = APIClient()
    assert client.get("/api/projects/").status_code in (401, 403)
    assert client.get(f"/api/projects/{personas['project'].pk}/").status_code in (401, 403)


@pytest.mark.django_db
def test_session_login_requires_csrf(make_user):
    make_user("bob")
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/auth/csrf/")
    token = client.cookies["csrftoken"].value
    resp = client.post(
        "/api/auth/login/",
        {"username": "bob", "password": "pw-12345678"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert resp.status_code == 200
    assert client.get("/api/auth/me/").json()["username"] == "bob"
    # A write without the CSRF header is refused for a session.
    refused = client.post("/api/projects/", {"name": "X"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    token = client.cookies["csrftoken"].value
    ok = client.post("/api/projects/", {"name": "X"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 201 and ok.json()["role"] == "admin"


@pytest.mark.django_db
def test_members_are_managed_by_admins_only(personas, make_user):
    p = personas["project"].pk
    dave = make_user("dave")
    admin = api_client(personas["admin"])
    coord = api_client(personas["coordinator"])

    listing = admin.get(f"/api/projects/{p}/members/").json()
    assert {(m["username"], m["role"]) for m in listing} == {
        ("alice", "admin"),
        ("carol", "coordinator"),
        ("victor", "viewer"),
    }
    denied = coord.post(f"/api/projects/{p}/members/", {"username": "dave", "role": "viewer"})
    assert denied.status_code == 403 and "admin" in denied.json()["detail"]

    added = admin.post(f"/api/projects/{p}/members/", {"username": "dave", "role": "viewer"})
    assert added.status_code == 201
    assert added.json() == {"user": dave.pk, "username": "dave", "role": "viewer"}
    changed = admin.patch(f"/api/projects/{p}/members/{dave.pk}/", {"role": "coordinator"})
    assert changed.json()["role"] == "coordinator"
    assert admin.delete(f"/api/projects/{p}/members/{dave.pk}/").status_code == 204
    assert "dave" not in {m["username"] for m in admin.get(f"/api/projects/{p}/members/").json()}

    unknown = admin.post(f"/api/projects/{p}/members/", {"username": "nobody", "role": "viewer"})
    assert unknown.status_code == 400 and "nobody" in str(unknown.json())
    bad_role = admin.post(f"/api/projects/{p}/members/", {"username": "dave", "role": "king"})
    assert bad_role.status_code == 400


@pytest.mark.django_db
def test_last_admin_cannot_leave(personas):
    p = personas["project"].pk
    admin = api_client(personas["admin"])
    resp = admin.delete(f"/api/projects/{p}/members/{personas['admin'].pk}/")
    assert resp.status_code == 400
    assert "at least one admin" in resp.json()["detail"]
    demote = admin.patch(f"/api/projects/{p}/members/{personas['admin'].pk}/", {"role": "viewer"})
    assert demote.status_code == 400


@pytest.mark.django_db
def test_projects_list_shows_only_memberships_and_roles(personas, make_user):
    viewer = api_client(personas["viewer"])
    outsider = api_client(personas["outsider"])
    own = outsider.post("/api/projects/", {"name": "Oscar's"}, format="json").json()
    names = {p["name"]: p["role"] for p in viewer.get("/api/projects/").json()["results"]}
    assert names == {"Tower A": "viewer"}
    names = {p["name"]: p["role"] for p in outsider.get("/api/projects/").json()["results"]}
    assert names == {"Oscar's": "admin"} and own["role"] == "admin"
