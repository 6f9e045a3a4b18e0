"""Web app speed, measured in Debian's Chromium against a real bimflow (web + worker).

Run ``python bench/web.py`` after ``cd frontend && npm run build``. It

1. measures the initial JavaScript (gzipped, from the build's manifest, and as sent
   over the wire by the real server);
2. starts a web server and a worker on a temporary data dir, generates a building with
   ``bimflow.ifc.generator.generate_building`` (50,000 products by default) and uploads
   it and AC20-FZK-Haus.ifc through the API, waiting for the ingest;
3. in headless Chromium (no GPU here: WebGL renders in software, SwiftShader), times
   the Overview until interactive, each Statistics chart, scrolling the Properties
   table (frame intervals sampled with requestAnimationFrame, against an idle page as
   the baseline of the same run), and the 3D viewer's first render and full load;
4. (part 2) times live log lines from print to screen, the log viewer with 100,000
   lines, and the Validation tab's first page of 50,000 findings
   (``bench/frontend/part2.py``);
5. re-measures the viewer decision: IFC -> GLB at ingest (IfcOpenShell's glTF
   serializer, ``bench/frontend/glb_convert.py``) and loading that GLB with three.js
   in the same browser, against web-ifc in a worker (the app's viewer).

Options: ``--products N``, ``--ifc PATH`` (reuse a generated file), ``--runs N``
(medians), ``--skip-glb``, ``--steps a,b`` (a subset), ``--json PATH`` (all figures). Screenshots go to
``test-artifacts/bench/``. Figures and the decision are written up in bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.frontend import part2  # noqa: E402
from bench.frontend.glb_browser import glb_alternative  # noqa: E402
from bench.frontend.live import Bimflow  # noqa: E402

DIST = REPO / "frontend" / "dist"
NODE_MODULES = REPO / "frontend" / "node_modules"
from bimflow.ifc.testing import shared_data_dir  # noqa: E402

SHARED = shared_data_dir() / "ifc"
ARTIFACTS = REPO / "test-artifacts" / "bench"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
FRAME_MS = 1000 / 60


# --- 1. bundle -------------------------------------------------------------------------


def bundle_sizes() -> dict[str, Any]:
    """Gzipped size of the entry chunk and its static imports (what every first visit
    loads), and of the lazy chunks the 3D viewer brings, from Vite's manifest."""
    manifest = json.loads((DIST / ".vite" / "manifest.json").read_text())

    def gz(file: str) -> int:
        return len(gzip.compress((DIST / file).read_bytes(), compresslevel=9))

    def closure(keys, seen=None):
        seen = set() if seen is None else seen
        for key in keys:
            if key not in seen:
                seen.add(key)
                closure(manifest[key].get("imports", []), seen)
        return seen

    entry = next(k for k, v in manifest.items() if v.get("isEntry"))
    initial = closure([entry])
    lazy = {}
    for key, value in manifest.items():
        if value.get("isDynamicEntry"):
            own = closure([key]) - initial
            lazy[key] = sum(gz(manifest[k]["file"]) for k in own)
    viewer_assets = {
        f.name: len(gzip.compress(f.read_bytes(), compresslevel=9))
        for f in (DIST / "assets").iterdir()
        if f.suffix in (".wasm", ".js") and ("worker" in f.name or f.suffix == ".wasm")
    }
    return {
        "initial_js_gzip_kb": round(sum(gz(manifest[k]["file"]) for k in initial) / 1024, 1),
        "lazy_chunks_gzip_kb": {k: round(v / 1024, 1) for k, v in sorted(lazy.items())},
        "viewer_only_assets_gzip_kb": {k: round(v / 1024, 1) for k, v in viewer_assets.items()},
    }


# --- in-page instrumentation -------------------------------------------------------------

# Installed before any page script: long tasks (main thread busy > 50 ms) and the first
# time each watched selector has content, in ms since navigation start.
INSTRUMENT = """
(() => {
  window.__bench = { longTasks: [], seen: {}, watch: [] };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        window.__bench.longTasks.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  const check = () => {
    for (const [name, selector] of window.__bench.watch)
      if (!(name in window.__bench.seen) && document.querySelector(selector))
        window.__bench.seen[name] = Math.round(performance.now());
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true,
    attributes: true, characterData: true });
})();
"""


def _watch(page, selectors: dict[str, str]) -> None:
    page.evaluate("(w) => { window.__bench.watch = Object.entries(w); }", selectors)


def _fresh_page(browser, state):
    """A new context (cold HTTP cache), signed in with the saved session."""
    context = browser.new_context(viewport=VIEWPORT, storage_state=state)
    context.add_init_script(INSTRUMENT)
    return context, context.new_page()


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def _resource_end(page, fragment: str) -> float | None:
    return page.evaluate(
        """(f) => { const r = performance.getEntriesByType('resource')
                      .filter(e => e.name.includes(f));
                    return r.length ? Math.round(r[0].responseEnd) : null; }""",
        fragment,
    )


# --- 2. pages -----------------------------------------------------------------------------


def wire_js(browser, url: str) -> dict[str, Any]:
    """JavaScript bytes a first visit of the sign-in page transfers (compressed by the
    server if it can), and their uncompressed size."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(f"{url}/login", wait_until="networkidle")
    encoded = decoded = 0
    encodings = set()
    for response in responses:
        if response.url.endswith(".js"):
            sizes = response.request.sizes()
            encoded += sizes["responseBodySize"]
            decoded += len(response.body())
            encodings.add(response.headers.get("content-encoding", "identity"))
    context.close()
    return {
        "transferred_kb": round(encoded / 1024, 1),
        "uncompressed_kb": round(decoded / 1024, 1),
        "content_encoding": sorted(encodings),
    }


def overview(browser, state, url: str, version: dict, runs: int, label: str) -> dict[str, Any]:
    """Navigation to the Overview until its figures and class chart are on screen and
    the main thread is free (no long task in the following 500 ms)."""
    total = f"{version['element_count']:,}"
    results = []
    for run in range(runs):
        context, page = _fresh_page(browser, state)
        page.goto(f"{url}/versions/{version['id']}/overview", wait_until="commit")
        _watch(
            page,
            {
                "metrics": '[data-testid="metric-elements"]',
                "chart": '[data-testid="overview-class-chart"] .recharts-bar-rectangle',
            },
        )
        page.wait_for_function(
            "(t) => document.querySelector('[data-testid=metric-elements]')?.textContent === t"
            " && window.__bench.seen.chart",
            arg=total,
            timeout=60_000,
        )
        page.wait_for_timeout(1500)
        bench = page.evaluate("() => window.__bench")
        content = max(bench["seen"]["metrics"], bench["seen"]["chart"])
        busy_until = max([s + d for s, d in bench["longTasks"] if s < content + 500] or [content])
        results.append(
            {
                "content_ms": content,
                "interactive_ms": max(content, busy_until),
                "longest_task_ms": max([d for _, d in bench["longTasks"]] or [0]),
                "statistics_response_ms": _resource_end(page, "/statistics/"),
            }
        )
        if run == 0:
            page.screenshot(path=str(ARTIFACTS / f"overview-{label}.png"))
        context.close()
    return {
        "runs": results,
        "median_interactive_ms": _median(r["interactive_ms"] for r in results),
        "median_content_ms": _median(r["content_ms"] for r in results),
    }


CHARTS = {
    "by_class": '[data-testid="chart-by-class"] .recharts-bar-rectangle',
    "by_storey": '[data-testid="chart-by-storey"] .recharts-bar-rectangle',
    "coverage_heatmap": '[data-testid="coverage-heatmap"] td[data-pset]',
    "materials": '[data-testid="chart-materials"] .recharts-bar-rectangle',
    "systems": '[data-testid="systems-table"] [data-testid="system-row"]',
}


def statistics_tab(
    browser, state, url: str, version: dict, runs: int, label: str
) -> dict[str, Any]:
    """Each chart: ms from the /statistics/ answer to the chart on screen."""
    results = []
    for run in range(runs):
        context, page = _fresh_page(browser, state)
        page.goto(f"{url}/versions/{version['id']}/statistics", wait_until="commit")
        _watch(page, CHARTS)
        page.wait_for_function(
            f"() => Object.keys(window.__bench.seen).length === {len(CHARTS)}", timeout=60_000
        )
        data_at = _resource_end(page, "/statistics/")
        seen = page.evaluate("() => window.__bench.seen")
        results.append(
            {
                "data_ms": data_at,
                **{f"{k}_render_ms": seen[k] - data_at for k in CHARTS},
                **{f"{k}_from_navigation_ms": seen[k] for k in CHARTS},
            }
        )
        if run == 0:
            page.screenshot(path=str(ARTIFACTS / f"statistics-{label}.png"), full_page=True)
        context.close()
    return {
        "runs": results,
        **{f"median_{k}_render_ms": _median(r[f"{k}_render_ms"] for r in results) for k in CHARTS},
        **{
            f"median_{k}_from_navigation_ms": _median(r[f"{k}_from_navigation_ms"] for r in results)
            for k in CHARTS
        },
    }


# Scrolls the table's scroller by `step` px every animation frame for `ms` and returns
# the frame intervals; with step 0 it samples an idle page (the baseline).
SCROLL = """
async ([step, ms]) => {
  const scroller = document.querySelector('[data-testid="elements-table"] > div');
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
  const blanks = document.querySelectorAll('[data-testid="element-row-loading"]').length;
  return { deltas: deltas.slice(1), top: scroller.scrollTop, blanks };
}
"""


def _frames(deltas: list[float]) -> dict[str, Any]:
    dropped = sum(max(0, round(d / FRAME_MS) - 1) for d in deltas)
    ordered = sorted(deltas)
    return {
        "frames": len(deltas),
        "dropped_frames": dropped,
        "dropped_share": round(dropped / max(1, dropped + len(deltas)), 3),
        "p95_frame_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
        "longest_frame_ms": round(ordered[-1], 1) if ordered else None,
        "mean_fps": round(1000 * len(deltas) / max(1, sum(deltas)), 1),
    }


def properties_scroll(browser, state, url: str, version: dict, label: str) -> dict[str, Any]:
    """Frames while scrolling the virtualised table: a steady reading speed (about 65
    rows a second), a fast fling across pages (about 800 rows a second, rows arrive
    from the server 500 at a time), and a jump to the middle (time until its rows are
    filled)."""
    context, page = _fresh_page(browser, state)
    page.goto(f"{url}/versions/{version['id']}/properties")
    page.get_by_test_id("element-row").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    idle = page.evaluate(SCROLL, [0, 3000])
    steady = page.evaluate(SCROLL, [36, 5000])
    page.wait_for_timeout(500)
    fling = page.evaluate(SCROLL, [480, 4000])
    # A jump: from the top to the middle of the list; time until no row is a skeleton.
    jump_ms = page.evaluate(
        """async () => {
          const s = document.querySelector('[data-testid="elements-table"] > div');
          s.scrollTop = 0;
          await new Promise(r => setTimeout(r, 300));
          const t0 = performance.now();
          s.scrollTop = s.scrollHeight / 2;
          await new Promise((done) => {
            const check = () => {
              const rows = document.querySelectorAll('[data-testid="element-row"]');
              const blanks = document.querySelectorAll('[data-testid="element-row-loading"]');
              if (rows.length && !blanks.length && s.scrollTop > 0) done();
              else requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          });
          return Math.round(performance.now() - t0);
        }"""
    )
    page.screenshot(path=str(ARTIFACTS / f"properties-{label}.png"))
    context.close()
    return {
        "idle_baseline": _frames(idle["deltas"]),
        "steady_36px_per_frame": {
            **_frames(steady["deltas"]),
            "skeleton_rows_at_end": steady["blanks"],
        },
        "fling_480px_per_frame": {
            **_frames(fling["deltas"]),
            "skeleton_rows_at_end": fling["blanks"],
        },
        "jump_to_middle_filled_ms": jump_ms,
    }


def viewer(browser, state, url: str, version: dict, runs: int, name: str) -> dict[str, Any]:
    """The 3D tab: first geometry on screen and fully loaded, from navigation start;
    the worker's phases; the longest main-thread task during the load."""
    results = []
    for run in range(runs):
        context, page = _fresh_page(browser, state)
        page.goto(f"{url}/versions/{version['id']}/viewer")
        viewer_el = page.get_by_test_id("ifc-viewer")
        page.wait_for_function(
            "() => ['ready', 'error'].includes(document.querySelector("
            "'[data-testid=ifc-viewer]')?.dataset.loadState)",
            timeout=15 * 60_000,
        )
        if viewer_el.get_attribute("data-load-state") != "ready":
            raise RuntimeError(page.get_by_test_id("viewer-error").inner_text())
        mount = page.evaluate(
            "() => performance.getEntriesByName('bimflow:viewer-load-start')[0].startTime"
        )
        bench = page.evaluate("() => window.__bench")
        first = int(viewer_el.get_attribute("data-first-geometry-ms"))
        ready = int(viewer_el.get_attribute("data-ready-ms"))
        results.append(
            {
                "first_geometry_ms": round(mount + first),
                "ready_ms": round(mount + ready),
                "worker_ms": json.loads(viewer_el.get_attribute("data-worker-timings")),
                "elements": int(viewer_el.get_attribute("data-element-count")),
                "triangles": int(viewer_el.get_attribute("data-triangles")),
                "longest_main_thread_task_ms": max([d for _, d in bench["longTasks"]] or [0]),
            }
        )
        if run == 0:
            page.screenshot(path=str(ARTIFACTS / f"viewer-{name}.png"))
        context.close()
    return {
        "runs": results,
        "median_first_geometry_ms": _median(r["first_geometry_ms"] for r in results),
        "median_ready_ms": _median(r["ready_ms"] for r in results),
    }


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--ifc", type=Path, help="a generated building to reuse")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-glb", action="store_true")
    parser.add_argument(
        "--steps",
        help="comma-separated subset of: wire_js, overview, statistics, properties_scroll, "
        "viewer_generated, viewer_fzk, log_latency, log_100k, validation_50k, glb_generated, "
        "glb_fzk (default: all)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        sys.exit("Build the web app first: cd frontend && npm ci && npm run build")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.node()}: {os.cpu_count()} cores, {platform.platform()}",
        "bundle": bundle_sizes(),
    }
    print(json.dumps(report["bundle"], indent=1), flush=True)

    label = f"{args.products // 1000}k"
    ifc = args.ifc
    if ifc is None:
        from bimflow.ifc.generator import generate_building

        ifc = Path(tempfile.gettempdir()) / f"bimflow-bench-web-{args.products}.ifc"
        if not ifc.exists():
            started = time.monotonic()
            generate_building(ifc, products=args.products)
            print(f"generated {ifc} in {time.monotonic() - started:.0f} s", flush=True)

    from playwright.sync_api import sync_playwright

    server = Bimflow()
    try:
        server.start()
        project = server.api("POST", "/api/projects/", json={"name": "Bench"})["id"]
        big = server.upload(project, ifc)
        report["ingest"] = {
            "file_mb": round(ifc.stat().st_size / 1e6, 1),
            **{k: big[k] for k in ("element_count", "seconds_to_ready")},
        }
        print(f"ingest: {report['ingest']}", flush=True)
        small = None
        if (SHARED / "AC20-FZK-Haus.ifc").exists():
            small = server.upload(project, SHARED / "AC20-FZK-Haus.ifc")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            report["chromium"] = browser.version
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.goto(f"{server.url}/login")
            page.get_by_label("Username").fill("bench")
            page.get_by_label("Password").fill(server.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{server.url}/projects")
            state = context.storage_state()
            context.close()

            steps = [
                ("wire_js", lambda: wire_js(browser, server.url)),
                ("overview", lambda: overview(browser, state, server.url, big, args.runs, label)),
                (
                    "statistics",
                    lambda: statistics_tab(browser, state, server.url, big, args.runs, label),
                ),
                (
                    "properties_scroll",
                    lambda: properties_scroll(browser, state, server.url, big, label),
                ),
                (
                    "viewer_generated",
                    lambda: viewer(browser, state, server.url, big, args.runs, label),
                ),
            ]
            if small is not None:
                steps.append(
                    (
                        "viewer_fzk",
                        lambda: viewer(browser, state, server.url, small, args.runs, "fzk"),
                    )
                )

            runner = small or big
            steps += [
                (
                    "log_latency",
                    lambda: part2.log_latency(browser, state, server, runner, _fresh_page),
                ),
                (
                    "log_100k",
                    lambda: part2.log_100k(browser, state, server, runner, _fresh_page, ARTIFACTS),
                ),
                (
                    "validation_50k",
                    lambda: part2.validation_50k(
                        browser, state, server, project, ifc, _fresh_page, ARTIFACTS, args.runs
                    ),
                ),
            ]

            def glb(path: Path) -> dict[str, Any]:
                return glb_alternative(
                    browser, path, args.runs, viewport=VIEWPORT, instrument=INSTRUMENT
                )

            if not args.skip_glb:
                steps.append(("glb_generated", lambda: glb(ifc)))
                if small is not None:
                    steps.append(
                        (
                            "glb_fzk",
                            lambda: glb(SHARED / "AC20-FZK-Haus.ifc"),
                        )
                    )
            if args.steps:
                wanted = set(args.steps.split(","))
                steps = [(name, step) for name, step in steps if name in wanted]
            for name, step in steps:
                started = time.monotonic()
                report[name] = step()
                summary = {k: v for k, v in report[name].items() if k != "runs"}
                print(
                    f"{name} ({time.monotonic() - started:.0f} s): {json.dumps(summary)}",
                    flush=True,
                )
            browser.close()
    finally:
        server.stop()
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
