// Prints the gzipped size of the JavaScript a first visit downloads (the entry
// and its static imports, from dist/.vite/manifest.json) and of each lazy chunk.
// Fails when the initial JS exceeds the 350 KB budget. Run after `npm run build`.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const BUDGET_KB = 350;
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist");
const manifest = JSON.parse(fs.readFileSync(path.join(dist, ".vite/manifest.json"), "utf8"));
const gz = (file) => zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function closure(keys, seen = new Set()) {
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    closure(manifest[key].imports ?? [], seen);
  }
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const initial = closure([entryKey]);
const initialBytes = [...initial].reduce((sum, key) => sum + gz(manifest[key].file), 0);
console.log(
  `initial JS (entry + static imports): ${kb(initialBytes)} gzipped, budget ${BUDGET_KB} KB`,
);

const routes = Object.keys(manifest).filter((k) => manifest[k].isDynamicEntry);
const rows = routes.map((key) => {
  const own = [...closure([key])].filter((k) => !initial.has(k));
  return { key, bytes: own.reduce((sum, k) => sum + gz(manifest[k].file), 0) };
});
rows.sort((a, b) => b.bytes - a.bytes);
console.log("lazy chunks (with their not-yet-loaded imports), gzipped:");
for (const row of rows) console.log(`  ${kb(row.bytes).padStart(9)}  ${row.key}`);
const assets = fs.readdirSync(path.join(dist, "assets"));
const viewerOnly = (f) => (f.endsWith(".wasm") || /worker.*\.js$/.test(f)) && !/\.(gz|br)$/.test(f);
for (const file of assets.filter(viewerOnly)) {
  console.log(
    `  ${kb(gz(`assets/${file}`)).padStart(9)}  assets/${file} (loaded by the 3D viewer only)`,
  );
}
if (initialBytes / 1024 > BUDGET_KB) {
  console.error(`Initial JS is over the ${BUDGET_KB} KB budget.`);
  process.exit(1);
}
