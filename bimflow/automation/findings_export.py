"""A version's findings as files people take elsewhere: CSV, XLSX, and BCF 2.1 (one
topic per finding, its element as the viewpoint's selected component), which
coordination tools (BIMcollab, Solibri, Revizto, BlenderBIM) import."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.sax.saxutils import escape

COLUMNS = [
    "script",
    "rule",
    "severity",
    "state",
    "guid",
    "ifc_class",
    "message",
    "execution",
    "version_number",
]


def _row(f: dict) -> list:
    return [
        f["script_slug"],
        f["rule_value"],
        f["severity_value"],
        f["state_value"],
        f["guid_value"] or "",
        f["ifc_class_value"],
        f["message_value"],
        f["execution_id_value"],
        f["version_number"],
    ]


def findings_csv(rows: Iterable[dict]) -> Iterable[str]:
    """Yields the CSV text in pieces (a header, then a line per finding)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for i, f in enumerate(rows):
        writer.writerow(_row(f))
        if i % 1000 == 999:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def findings_xlsx(rows: Iterable[dict], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "Findings")
    ws.freeze_panes = "A2"
    header = []
    for name in COLUMNS:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for f in rows:
        ws.append(_row(f))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


BCF_VERSION = """<?xml version="1.0" encoding="UTF-8"?>
<Version VersionId="2.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <DetailedVersion>2.1</DetailedVersion>
</Version>
"""
BCF_PRIORITY = {"error": "High", "warning": "Normal", "info": "Low"}


def _markup(f: dict, topic: str, viewpoint: str, now: str, author: str) -> str:
    title = f"[{f['severity_value']}] {f['rule_value'] or f['script_slug']}"
    labels = "".join(
        f"<Labels>{escape(str(x))}</Labels>" for x in (f["script_slug"], f["rule_value"]) if x
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Markup xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Topic Guid="{topic}" TopicType="Issue" TopicStatus="Open">
    <Title>{escape(title[:250])}</Title>
    <Priority>{BCF_PRIORITY.get(f["severity_value"], "Normal")}</Priority>
    {labels}
    <CreationDate>{now}</CreationDate>
    <CreationAuthor>{escape(author)}</CreationAuthor>
    <Description>{escape(f["message_value"])}</Description>
  </Topic>
  <Viewpoints Guid="{viewpoint}">
    <Viewpoint>viewpoint.bcfv</Viewpoint>
  </Viewpoints>
</Markup>
"""


def _viewpoint(guid: str | None, viewpoint: str) -> str:
    selection = (
        f'<Selection><Component IfcGuid="{escape(guid)}" /></Selection>' if guid else "<Selection/>"
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<VisualizationInfo Guid="{viewpoint}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Components>
    {selection}
    <Visibility DefaultVisibility="true" />
  </Components>
</VisualizationInfo>
"""


def findings_bcf(rows: Iterable[dict], *, author: str) -> bytes:
    """A BCF 2.1 zip: one topic per finding; topic GUIDs are random, as BCF wants
    each export to be a new set of topics."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bcf.version", BCF_VERSION)
        for f in rows:
            topic, viewpoint = str(uuid.uuid4()), str(uuid.uuid4())
            zf.writestr(f"{topic}/markup.bcf", _markup(f, topic, viewpoint, now, author))
            zf.writestr(f"{topic}/viewpoint.bcfv", _viewpoint(f["guid_value"], viewpoint))
    return out.getvalue()
