"""Web app part 2 speed (run by bench/web.py): live log latency, the log viewer with
100,000 lines, and the Validation tab's first page of 50,000 findings.

Each figure comes with the baseline of the same run it should be read against: the
server's own timestamp of a log line (print -> stored), an idle page's frames, and the
findings API answering alone.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

SLOW_PRINTS = 40
SLOW_PRINTER = f"""
import time
for i in range({SLOW_PRINTS}):
    print(f"{{time.time():.6f}} line {{i}}", flush=True)
    time.sleep(0.25)
"""
MANY_LINES = 100_000
MANY_PRINTER = f"""
import sys
out = sys.stdout
for i in range({MANY_LINES}):
    out.write(f"line {{i:06d}} " + "x" * 40 + "\\n")
"""

# Records when each log line (by seq) first appears in the page, in epoch seconds.
RECORD_LINES = """
() => {
  window.__lines = {};
  new MutationObserver(() => {
    for (const row of document.querySelectorAll('[data-testid="log-line"]')) {
      const seq = row.dataset.seq;
      if (!(seq in window.__lines)) window.__lines[seq] = [Date.now() / 1000, row.textContent];
    }
  }).observe(document.body, { subtree: true, childList: true });
}
"""

SCROLL_LOG = """
async ([step, ms]) => {
  const scroller = document.querySelector('[data-testid="log-viewport"]');
  const deltas = [];
  let last = performance.now();
  const started = last;
  await new Promise((done) => {
    const frame = (now) => {
      deltas.push(now - last);
      last = now;
      if (step) scroller.scrollTop += step;
      if (now - started < ms) requestAnimationFrame(frame); else done();
    };
    requestAnimationFrame(frame);
  });
  return { deltas: deltas.slice(1), top: scroller.scrollTop };
}
"""


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[int(q * (len(ordered) - 1))], 3)


def _script(server, name: str, code: str) -> str:
    return server.api("POST", "/api/scripts/", json={"name": name, "code": code})["slug"]


def _wait_final(server, execution_id: int, timeout_s: float = 900) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        ex = server.api("GET", f"/api/executions/{execution_id}/")
        if ex["status"] in ("succeeded", "failed", "timed_out", "cancelled"):
            return ex
        if time.monotonic() > deadline:
            raise RuntimeError(f"execution {execution_id} did not finish")
        time.sleep(0.5)


def log_latency(browser, state, server, version: dict, fresh_page) -> dict[str, Any]:
    """Print -> on screen, for lines printed every 0.25 s while the page follows the
    run live; the baseline is print -> read by the worker (the LogLine timestamp)."""
    from datetime import datetime

    slug = _script(server, "Bench slow printer", SLOW_PRINTER)
    context, page = fresh_page(browser, state)
    page.goto(f"{server.url}/versions/{version['id']}/scripts?script={slug}")
    page.get_by_test_id("run-script").wait_for()
    page.evaluate(RECORD_LINES)
    page.get_by_test_id("run-script").click()
    view = page.get_by_test_id("execution-view")
    view.wait_for()
    execution_id = int(view.get_attribute("data-execution-id"))
    _wait_final(server, execution_id)
    page.wait_for_timeout(1500)
    seen = page.evaluate("() => window.__lines")
    context.close()
    stored = server.api(
        "GET", f"/api/executions/{execution_id}/logs/", params={"page_size": 1000}
    )["results"]
    to_page, to_store = [], []
    for line in stored:
        if line["stream"] != "stdout":
            continue
        printed = float(line["text"].split(" ", 1)[0])
        ts = datetime.fromisoformat(line["ts"].replace("Z", "+00:00")).timestamp()
        to_store.append(ts - printed)
        if str(line["seq"]) in seen:
            to_page.append(seen[str(line["seq"])][0] - printed)
    return {
        "lines": len(to_store),
        "lines_seen_in_page": len(to_page),
        "print_to_page_s": {
            "median": _pct(to_page, 0.5),
            "p95": _pct(to_page, 0.95),
            "max": _pct(to_page, 1.0),
        },
        "baseline_print_to_worker_s": {
            "median": _pct(to_store, 0.5),
            "p95": _pct(to_store, 0.95),
            "max": _pct(to_store, 1.0),
        },
    }


def _frames(deltas: list[float]) -> dict[str, Any]:
    frame_ms = 1000 / 60
    dropped = sum(max(0, round(d / frame_ms) - 1) for d in deltas)
    ordered = sorted(deltas)
    return {
        "frames": len(deltas),
        "dropped_frames": dropped,
        "p95_frame_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
        "longest_frame_ms": round(ordered[-1], 1) if ordered else None,
        "mean_fps": round(1000 * len(deltas) / max(1, sum(deltas)), 1),
    }


def log_100k(browser, state, server, version: dict, fresh_page, artifacts: Path) -> dict[str, Any]:
    """100,000 lines: frames while they stream in live, the time until all are in the
    page, frames while scrolling (steady and a fling) against an idle page, and how
    long a text filter over all lines takes."""
    slug = _script(server, "Bench many lines", MANY_PRINTER)
    context, page = fresh_page(browser, state)
    page.goto(f"{server.url}/versions/{version['id']}/scripts?script={slug}")
    page.get_by_test_id("run-script").wait_for()
    started = time.monotonic()
    page.get_by_test_id("run-script").click()
    page.get_by_test_id("log-viewport").wait_for()
    execution_id = int(page.get_by_test_id("execution-view").get_attribute("data-execution-id"))
    page.locator('[data-testid="log-line"][data-stream="stdout"]').first.wait_for(timeout=300_000)
    live = page.evaluate(SCROLL_LOG, [0, 3000])
    ex = _wait_final(server, execution_id)
    total = ex["log_count"]
    page.wait_for_function(
        "(n) => +document.querySelector('[data-testid=log-viewer]').dataset.lineCount >= n",
        arg=total,
        timeout=600_000,
    )
    all_in_page_s = round(time.monotonic() - started, 1)
    run_s = round((ex["duration_ms"] or 0) / 1000, 1)
    page.wait_for_timeout(500)
    idle = page.evaluate(SCROLL_LOG, [0, 3000])
    page.evaluate("() => { document.querySelector('[data-testid=log-viewport]').scrollTop = 0; }")
    page.wait_for_timeout(300)
    steady = page.evaluate(SCROLL_LOG, [60, 4000])
    fling = page.evaluate(SCROLL_LOG, [4000, 3000])
    filter_ms = page.evaluate(
        """async () => {
          const input = document.querySelector('[data-testid="log-filter"]');
          const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
          const t0 = performance.now();
          setter.call(input, 'line 099999');
          input.dispatchEvent(new Event('input', { bubbles: true }));
          await new Promise((done) => {
            const check = () => {
              const rows = document.querySelectorAll('[data-testid="log-line"]');
              if (rows.length === 1) done(); else requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          });
          return Math.round(performance.now() - t0);
        }"""
    )
    page.screenshot(path=str(artifacts / "log-100k.png"))
    context.close()
    return {
        "lines": total,
        "run_s": run_s,
        "all_lines_in_page_s_from_click": all_in_page_s,
        "frames_while_streaming": _frames(live["deltas"]),
        "idle_baseline": _frames(idle["deltas"]),
        "scroll_steady_60px_per_frame": _frames(steady["deltas"]),
        "scroll_fling_4000px_per_frame": _frames(fling["deltas"]),
        "filter_all_lines_ms": filter_ms,
    }


def inject_guid_defects(source: Path, target: Path) -> int:
    """A copy of a generated building whose products' GlobalIds are all invalid (first
    character outside 0-3, still unique): the defects the GUID check must report."""
    import ifcopenshell

    model = ifcopenshell.open(str(source))
    n = 0
    for product in model.by_type("IfcProduct"):
        guid = product.GlobalId
        product.GlobalId = "Z" + guid[1:]
        n += 1
    model.write(str(target))
    return n


def validation_50k(
    browser, state, server, project: int, source_ifc: Path, fresh_page, artifacts: Path, runs: int
) -> dict[str, Any]:
    """The generated building with a defect injected in every product, the GUID check
    run on it; then the Validation tab, cold: ms from navigation until the first page
    of findings is on screen. Baseline: the findings API's first page alone."""
    import requests

    defective = source_ifc.with_name(source_ifc.stem + "-guid-defects.ifc")
    if not defective.exists():
        inject_guid_defects(source_ifc, defective)
    version = server.upload(project, defective)
    ex = server.api(
        "POST", "/api/executions/", json={"script": "guid-check", "version": version["id"]}
    )
    ex = _wait_final(server, ex["id"])
    api_ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        requests.get(
            f"{server.url}/api/versions/{version['id']}/findings/",
            params={"page": 1, "page_size": 100},
            headers={"Authorization": f"Token {server.token}"},
            timeout=120,
        ).raise_for_status()
        api_ms.append((time.perf_counter() - t0) * 1000)
    results = []
    for run in range(runs):
        context, page = fresh_page(browser, state)
        page.goto(f"{server.url}/versions/{version['id']}/validation", wait_until="commit")
        page.evaluate(
            "() => { window.__bench.watch = [['rows', '[data-testid=vfinding-row]'], "
            "['count', '[data-testid=findings-count]']]; }"
        )
        page.locator('[data-testid="vfinding-row"]').first.wait_for(timeout=120_000)
        page.wait_for_timeout(300)
        bench = page.evaluate("() => window.__bench")
        count = int(page.get_by_test_id("findings-count").get_attribute("data-count"))
        # When each API answer arrived (ms from navigation start), to see where time goes.
        answers = page.evaluate(
            """() => Object.fromEntries(performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/api/') || e.name.includes('validation-tab'))
                .map(e => [new URL(e.name).pathname.replace(/\\d+/g, 'N'),
                           [Math.round(e.startTime), Math.round(e.responseEnd)]]))"""
        )
        results.append(
            {
                "first_page_ms": bench["seen"].get("rows"),
                "findings": count,
                "longest_task_ms": max([d for _, d in bench["longTasks"]] or [0]),
                "requests_start_end_ms": answers,
            }
        )
        if run == 0:
            page.screenshot(path=str(artifacts / "validation-50k.png"))
        context.close()
    return {
        "products_with_defects": version["element_count"],
        "guid_check_findings": ex["findings_count"],
        "guid_check_run_s": round((ex["duration_ms"] or 0) / 1000, 1),
        "runs": results,
        "median_first_page_ms": round(statistics.median(r["first_page_ms"] for r in results), 1),
        "baseline_findings_api_first_page_ms": round(statistics.median(api_ms), 1),
    }
