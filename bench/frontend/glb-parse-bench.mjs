// Client side of the GLB alternative: time three.js GLTFLoader.parse on the GLBs
// that glb_convert.py wrote (Node's V8, the same engine as Chromium; GPU upload
// not included). Usage (from frontend/): node ../bench/frontend/glb-parse-bench.mjs /tmp/glb/*.glb
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const threeDir = path.resolve(process.cwd(), "node_modules/three");
const { GLTFLoader } = await import(pathToFileURL(path.join(threeDir, "examples/jsm/loaders/GLTFLoader.js")).href);

for (const file of process.argv.slice(2)) {
  const bytes = fs.readFileSync(file);
  const times = [];
  let meshes = 0;
  for (let run = 0; run < 3; run += 1) {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const t0 = performance.now();
    const gltf = await new Promise((resolve, reject) => new GLTFLoader().parse(buffer, "", resolve, reject));
    times.push(performance.now() - t0);
    meshes = 0;
    gltf.scene.traverse((o) => { if (o.isMesh) meshes += 1; });
  }
  times.sort((a, b) => a - b);
  console.log(`${path.basename(file)}: ${(bytes.length / 1e6).toFixed(1)} MB, ${meshes} meshes, GLTFLoader.parse median ${Math.round(times[1])} ms`);
}
