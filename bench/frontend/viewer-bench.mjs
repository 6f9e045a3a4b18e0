// Measures the real 3D viewer (frontend/dist: web-ifc in a Web Worker + three.js)
// in headless Chromium against the dev fixture server, per model:
// time to first geometry, time to fully loaded, the worker's phases, and the
// longest main-thread task during the load (is the tab frozen?).
// Usage (from frontend/): node ../bench/frontend/viewer-bench.mjs http://127.0.0.1:8765 100 104 105
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.resolve(process.cwd(), "package.json"));
const { chromium } = require("playwright-core");
const [base, ...ids] = process.argv.slice(2);
const runs = Number(process.env.RUNS ?? 3);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--enable-unsafe-swiftshader"],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
await context.addCookies([{ name: "fixture_session", value: "1", url: base }]);
const results = [];
for (const id of ids) {
  for (let run = 0; run < runs; run += 1) {
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longTasks.push([entry.startTime, entry.duration]);
      }).observe({ type: "longtask", buffered: true });
    });
    await page.goto(`${base}/versions/${id}/viewer`);
    const viewer = page.locator('[data-testid="ifc-viewer"]');
    await page.waitForSelector('[data-load-state="ready"], [data-load-state="error"]', { timeout: 600_000 });
    const state = await viewer.getAttribute("data-load-state");
    const fileName = await page.evaluate(async (vid) => (await (await fetch(`/api/versions/${vid}/`)).json()).file_name, id);
    // Long tasks counted from the viewer's load start (app startup excluded).
    const r = {
      id, file: fileName, run, state,
      firstGeometryMs: Number(await viewer.getAttribute("data-first-geometry-ms")),
      readyMs: Number(await viewer.getAttribute("data-ready-ms")),
      elements: Number(await viewer.getAttribute("data-element-count")),
      triangles: Number(await viewer.getAttribute("data-triangles")),
      worker: JSON.parse((await viewer.getAttribute("data-worker-timings")) || "{}"),
      longestTaskMs: Math.round(await page.evaluate(() => {
        const mark = performance.getEntriesByName("bimflow:viewer-load-start")[0]?.startTime ?? 0;
        return Math.max(0, ...window.__longTasks.filter(([start]) => start >= mark).map(([, d]) => d));
      })),
    };
    // Interaction after load: time of a click-to-select (raycast) in the middle of the view.
    const box = await viewer.boundingBox();
    const t0 = Date.now();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForTimeout(50);
    r.clickSelectMs = Date.now() - t0 - 50;
    r.selected = await viewer.getAttribute("data-selected-guid");
    results.push(r);
    console.log(JSON.stringify(r));
    await page.close();
  }
}
await browser.close();
console.log("\nmedian per model:");
for (const id of ids) {
  const rs = results.filter((r) => r.id === id);
  const med = (f) => { const v = rs.map(f).sort((a, b) => a - b); return Math.round(v[Math.floor(v.length / 2)]); };
  console.log(`${rs[0].file}: elements ${rs[0].elements}, triangles ${rs[0].triangles}, first geometry ${med((r) => r.firstGeometryMs)} ms, ready ${med((r) => r.readyMs)} ms ` +
    `(download ${med((r) => r.worker.download)}, parse ${med((r) => r.worker.parse)}, geometry ${med((r) => r.worker.geometry)}, metadata ${med((r) => r.worker.metadata)}), ` +
    `longest main-thread task ${med((r) => r.longestTaskMs)} ms, click-select ${med((r) => r.clickSelectMs)} ms`);
}
