// Development aid: signs in to a running server (fixture or real backend),
// visits the main pages, saves screenshots and prints browser console errors.
// Usage: node dev/screenshots.mjs http://127.0.0.1:8765 /tmp/shots
import { chromium } from "playwright-core";
import fs from "node:fs";

const base = process.argv[2] ?? "http://127.0.0.1:8765";
const out = process.argv[3] ?? "/tmp/shots";
const scheme = process.env.SCHEME ?? "light";
fs.mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--enable-unsafe-swiftshader",
  ],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 800 }, colorScheme: scheme });
page.on("console", (m) => m.type() === "error" && console.log("console error:", m.text()));
page.on("pageerror", (e) => console.log("page error:", e.message));
await page.goto(`${base}/projects`);
await page.getByLabel("Username").fill("anna");
await page.getByLabel("Password").fill("secret");
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForSelector('[data-testid="projects-list"]');
const shots = (
  process.env.PAGES ??
  "projects,/projects/1/models,/projects/1/members,/versions/100/overview,/versions/100/statistics,/versions/104/properties,/versions/100/metadata,/versions/103/history,/versions/100/viewer"
).split(",");
for (const target of shots) {
  const url = target.startsWith("/") ? target : `/${target}`;
  const t0 = Date.now();
  await page.goto(`${base}${url}`);
  if (url.includes("viewer")) {
    await page.waitForSelector('[data-load-state="ready"], [data-load-state="error"]', {
      timeout: 120000,
    });
  } else {
    await page.waitForLoadState("networkidle");
  }
  await page.waitForTimeout(600);
  const name = url.replace(/[/?=]/g, "_").replace(/^_/, "") || "root";
  await page.screenshot({ path: `${out}/${scheme}-${name}.png` });
  console.log(`${url}: ${Date.now() - t0} ms`);
}
await browser.close();
