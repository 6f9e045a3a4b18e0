"""The API reads that the load test measures (bench/load.py) answer the same as before
they were made cheaper: an element page built from the rows equals the serializer's."""

from __future__ import annotations

import pytest

from tests.conftest import api_client, ingest
from tests.ifc_factory import small_building


@pytest.mark.django_db
def test_element_pages_from_rows_equal_the_serializers(personas, upload, tmp_path):
    path = tmp_path / "walls.ifc"
    small_building(path, walls=7)
    client = api_client(personas["admin"])
    resp = upload(client, personas["project"].pk, path)
    assert resp.status_code == 201, resp.content
    vid = ingest(resp.json()["id"]).pk
    for query in ("page_size=3&page=2", "ifc_class=IfcWall&ordering=-name", "search=Wall 1"):
        plain = client.get(f"/api/versions/{vid}/elements/?{query}").json()
        full = client.get(f"/api/versions/{vid}/elements/?{query}&fields=psets").json()
        assert plain["count"] == full["count"] > 0
        assert plain["results"] == [
            {k: v for k, v in row.items() if k != "psets"} for row in full["results"]
        ]
        assert (plain["next"] is None) == (full["next"] is None)
