"""The server-side alternative of the viewer decision, measured in the browser: IFC to
GLB with IfcOpenShell (glb_convert.py, what an ingest step would run), then the GLB in
three.js in the same Chromium as the app's viewer (used by bench/web.py)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE.parent.parent / "frontend" / "node_modules"


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


GLB_PAGE = """<!doctype html><meta charset="utf-8"><title>GLB</title>
<style>html,body{margin:0;height:100%}</style>
<script type="importmap">{"imports":{"three":"/three/build/three.module.js",
"three/addons/":"/three/examples/jsm/"}}</script>
<script type="module">
import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
window.run = async (file) => {
  const t0 = performance.now();
  const bytes = await (await fetch(file)).arrayBuffer();
  const fetched = performance.now();
  const gltf = await new Promise((ok, fail) => new GLTFLoader().parse(bytes, "", ok, fail));
  const parsed = performance.now();
  const renderer = new THREE.WebGLRenderer({ antialias: true });
  renderer.setSize(innerWidth, innerHeight);
  document.body.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 2.5));
  scene.add(gltf.scene);
  const box = new THREE.Box3().setFromObject(gltf.scene);
  const size = box.getSize(new THREE.Vector3()).length();
  const camera = new THREE.PerspectiveCamera(45, innerWidth / innerHeight, size / 1000, size * 10);
  camera.position.copy(box.getCenter(new THREE.Vector3()).add(new THREE.Vector3(size, size, size).multiplyScalar(0.6)));
  camera.lookAt(box.getCenter(new THREE.Vector3()));
  renderer.render(scene, camera);
  renderer.getContext().readPixels(0, 0, 1, 1, 6408, 5121, new Uint8Array(4));
  const rendered = performance.now();
  let meshes = 0;
  gltf.scene.traverse((o) => { if (o.isMesh) meshes += 1; });
  return { download_ms: fetched - t0, parse_ms: parsed - fetched,
           first_render_ms: rendered - parsed, total_ms: rendered - t0, meshes };
};
window.ready = true;
</script>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _static_server(root: Path):
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def glb_alternative(browser, ifc: Path, runs: int, *, viewport, instrument: str) -> dict[str, Any]:
    """IFC -> GLB with IfcOpenShell (what an ingest step would add), then the GLB in
    three.js in this Chromium: download, GLTFLoader.parse (main thread), first frame."""
    work = Path(tempfile.mkdtemp(prefix="bimflow-bench-glb-"))
    try:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, str(HERE / "glb_convert.py"), str(work), str(ifc)],
            capture_output=True,
            text=True,
            check=True,
        )
        convert_s = round(time.monotonic() - started, 1)
        glb = next(work.glob("*.glb"))
        (work / "index.html").write_text(GLB_PAGE)
        (work / "three").symlink_to(NODE_MODULES / "three")
        results = []
        with _static_server(work) as base:
            for _ in range(runs):
                context = browser.new_context(viewport=viewport)
                context.add_init_script(instrument)
                page = context.new_page()
                page.goto(f"{base}/index.html")
                page.wait_for_function("() => window.ready", timeout=60_000)
                result = page.evaluate("(f) => window.run(f)", f"/{glb.name}")
                bench = page.evaluate("() => window.__bench")
                result["longest_main_thread_task_ms"] = max(
                    [d for _, d in bench["longTasks"]] or [0]
                )
                results.append(
                    {k: round(v) if isinstance(v, float) else v for k, v in result.items()}
                )
                context.close()
        return {
            "convert_seconds": convert_s,
            "convert_log": done.stdout.strip(),
            "glb_mb": round(glb.stat().st_size / 1e6, 1),
            "runs": results,
            "median_total_ms": _median(r["total_ms"] for r in results),
            "median_parse_ms": _median(r["parse_ms"] for r in results),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


