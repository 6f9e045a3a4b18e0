// Generates src/api/schema.d.ts from the backend's drf-spectacular schema.
// Source: $BIMFLOW_OPENAPI (file path or URL), else ../var/openapi.json,
// else http://127.0.0.1:8000/api/schema/?format=json.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const local = path.resolve(root, "../var/openapi.json");
const source =
  process.env.BIMFLOW_OPENAPI ??
  (existsSync(local) ? local : "http://127.0.0.1:8000/api/schema/?format=json");
const out = path.resolve(root, "src/api/schema.d.ts");
console.log(`openapi-typescript ${source} -> ${path.relative(root, out)}`);
const result = spawnSync("npx", ["openapi-typescript", source, "-o", out], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
