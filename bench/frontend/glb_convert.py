"""Server-side alternative measured for the viewer decision: IFC -> GLB at ingest.

Converts with IfcOpenShell's geometry iterator and glTF serializer (what a backend
ingest step would run) and prints the wall time and GLB size per file.
Usage: python glb_convert.py OUT_DIR FILE.ifc [FILE.ifc ...]
"""

import multiprocessing
import os
import sys
import time

import ifcopenshell
import ifcopenshell.geom


def convert(path: str, out_dir: str) -> None:
    t0 = time.perf_counter()
    model = ifcopenshell.open(path)
    t_open = time.perf_counter() - t0
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    out = os.path.join(out_dir, os.path.splitext(os.path.basename(path))[0] + ".glb")
    serializer = ifcopenshell.geom.serializers.gltf(out, settings)
    serializer.setFile(model)
    serializer.writeHeader()
    iterator = ifcopenshell.geom.iterator(settings, model, multiprocessing.cpu_count())
    count = 0
    if iterator.initialize():
        while True:
            serializer.write(iterator.get())
            count += 1
            if not iterator.next():
                break
    serializer.finalize()
    total = time.perf_counter() - t0
    size = os.path.getsize(out)
    print(
        f"{os.path.basename(path)}: {count} shapes, open {t_open:.2f} s, "
        f"IFC->GLB total {total:.2f} s, GLB {size / 1e6:.1f} MB -> {out}",
        flush=True,
    )


if __name__ == "__main__":
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for file in sys.argv[2:]:
        convert(file, out_dir)
