"""Rendered element pages are kept per process: a repeated page is served without
touching the element table, is byte-identical to the first answer and to an
ifcopenshell oracle, and the permission check still runs on every request."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import ifcopenshell
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import api_client, ingest
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db


def element_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "catalog_element" in q["sql"]]


def test_a_page_is_rendered_once_and_checked_every_time(personas, upload, tmp_path):
    path = tmp_path / "walls.ifc"
    small_building(path, walls=7)
    carol = api_client(personas["coordinator"])
    version = ingest(upload(carol, personas["project"].pk, path).json()["id"])
    url = f"/api/versions/{version.pk}/elements/?page=2&page_size=3&ordering=guid"

    with CaptureQueriesContext(connection) as first_ctx:
        first = carol.get(url)
    with CaptureQueriesContext(connection) as second_ctx:
        second = carol.get(url)
    assert first.status_code == second.status_code == 200
    assert element_queries(first_ctx) and not element_queries(second_ctx)
    assert first.content == second.content

    oracle = sorted(p.GlobalId for p in ifcopenshell.open(str(path)).by_type("IfcProduct"))
    body = second.json()
    assert body["count"] == len(oracle)
    assert [row["guid"] for row in body["results"]] == oracle[3:6]
    assert parse_qs(urlparse(body["next"]).query) == {
        "page": ["3"],
        "page_size": ["3"],
        "ordering": ["guid"],
    }

    # Another page, another query; a non-member still gets 404, a viewer the same page.
    with CaptureQueriesContext(connection) as other_ctx:
        other = carol.get(url.replace("page=2", "page=1"))
    assert element_queries(other_ctx)
    assert [row["guid"] for row in other.json()["results"]] == oracle[0:3]
    assert api_client(personas["outsider"]).get(url).status_code == 404
    assert api_client(personas["viewer"]).get(url).content == first.content
