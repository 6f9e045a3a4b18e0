"""Which firings make runs (no worker needed: the runs are only recorded here)."""

import pytest

from bimflow.automation.selection import name_matches
from tests.automation.conftest import upload_ready
from tests.conftest import api_client
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, pattern, expected",
    [
        ("ARK-Tower", "ARK-*", True),
        ("ark-tower", "ARK-*", True),
        ("STR-Tower", "ARK-*", False),
        ("ARK", "ARK-*", False),
        ("Tower B2", "*B?", True),
        ("anything", "", True),
        ("ARK-1", "ARK-[0-9]", True),
    ],
)
def test_model_filter_is_a_case_insensitive_glob(name, pattern, expected):
    assert name_matches(name, pattern) is expected


@pytest.fixture
def workflow(personas, builtins):
    from bimflow.automation.services.workflows import workflow_create

    return workflow_create(
        project=personas["project"],
        user=personas["admin"],
        name="Nightly",
        trigger="schedule",
        cron="0 2 * * *",
        model_filter="ARK-*",
        steps=[{"script": "guid-check"}],
    )


def test_a_schedule_with_nothing_to_run_on_records_one_skipped_run(workflow, personas, upload,
                                                                   tmp_path):  # fmt: skip
    from bimflow.automation.services.runs import workflow_fire_scheduled

    first = workflow_fire_scheduled(workflow_id=workflow.pk)
    assert [(r.status, r.version_id, r.source) for r in first] == [("skipped", None, "schedule")]
    assert first[0].reason == "Skipped: no model matching 'ARK-*' has a ready version."
    again = workflow_fire_scheduled(workflow_id=workflow.pk)
    assert [r.pk for r in again] == [first[0].pk] and workflow.runs.count() == 1
    assert again[0].finished_at > first[0].finished_at

    path = tmp_path / "ARK-A.ifc"
    small_building(path)
    upload_ready(api_client(personas["coordinator"]), upload, personas["project"].pk, path)
    runs = workflow_fire_scheduled(workflow_id=workflow.pk)
    assert [(r.status, r.triggered_by_id) for r in runs] == [("queued", None)]
    assert [s.position for s in runs[0].steps.all()] == [0]


def test_an_inactive_or_rescheduled_workflow_ignores_a_late_firing(workflow, personas):
    from bimflow.automation.services.runs import workflow_fire_scheduled
    from bimflow.automation.services.workflows import workflow_update

    workflow_update(workflow=workflow, user=personas["admin"], is_active=False)
    assert workflow_fire_scheduled(workflow_id=workflow.pk) == []
    workflow_update(workflow=workflow, user=personas["admin"], is_active=True, trigger="manual")
    assert workflow_fire_scheduled(workflow_id=workflow.pk) == []
    assert workflow_fire_scheduled(workflow_id=999999) == []
    assert workflow.runs.count() == 0


def test_on_upload_needs_ready_active_and_matching(personas, upload, tmp_path, builtins):
    from bimflow.automation.services.runs import workflows_on_version_ready
    from bimflow.automation.services.workflows import workflow_create
    from bimflow.projects.models import ModelVersion

    p, admin = personas["project"], personas["admin"]
    workflow_create(project=p, user=admin, name="ARK", trigger="on_upload", model_filter="ARK-*",
                    steps=[{"script": "guid-check"}])  # fmt: skip
    workflow_create(project=p, user=admin, name="By hand", trigger="manual",
                    steps=[{"script": "guid-check"}])  # fmt: skip
    carol = api_client(personas["coordinator"])
    path = tmp_path / "ARK-B.ifc"
    small_building(path)
    resp = upload(carol, p.pk, path)
    # Not ready yet: nothing fires.
    assert workflows_on_version_ready(version_id=resp.json()["id"]) == []
    from tests.conftest import ingest

    version = ingest(resp.json()["id"])
    runs = workflows_on_version_ready(version_id=version.pk)
    assert [(r.workflow.name, r.source, r.triggered_by_id) for r in runs] == [
        ("ARK", "upload", personas["coordinator"].pk)
    ]
    assert workflows_on_version_ready(version_id=version.pk) == []  # once per version
    other = tmp_path / "STR-B.ifc"
    small_building(other, walls=5)
    v2 = upload_ready(carol, upload, p.pk, other)
    assert workflows_on_version_ready(version_id=v2.pk) == []
    assert ModelVersion.objects.count() == 2
