/// <reference lib="webworker" />
// Parses the IFC with web-ifc off the main thread and streams geometry in
// batches so a 100 MB model never freezes the tab.
import * as WebIFC from "web-ifc";
import wasmUrl from "web-ifc/web-ifc.wasm?url";
import type { FromWorker, ToWorker } from "./worker-protocol";
import { BatchBuilder, extractMetadata } from "./ifc-extract";

declare const self: DedicatedWorkerGlobalScope;

const post = (message: FromWorker, transfer: Transferable[] = []) =>
  self.postMessage(message, transfer);

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) {
    let detail = "";
    try {
      const body = await response.json();
      detail = typeof body?.detail === "string" ? `: ${body.detail}` : "";
    } catch {
      /* not JSON */
    }
    throw new Error(`Could not download the model (HTTP ${response.status}${detail}).`);
  }
  const total = Number(response.headers.get("Content-Length")) || 0;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let lastPost = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    const now = performance.now();
    if (now - lastPost > 100) {
      lastPost = now;
      post({ type: "progress", phase: "download", loaded, total });
    }
  }
  const data = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
  return data;
}

async function load(url: string) {
  const t0 = performance.now();
  const api = new WebIFC.IfcAPI();
  const init = api.Init((path) => (path.endsWith(".wasm") ? wasmUrl : path), true);
  const data = await download(url);
  await init;
  const t1 = performance.now();
  post({ type: "progress", phase: "parse", loaded: 0, total: data.length });
  const modelID = api.OpenModel(data, { COORDINATE_TO_ORIGIN: true });
  if (modelID < 0) throw new Error("web-ifc could not open this file.");
  const schema = api.GetModelSchema(modelID);
  const t2 = performance.now();

  const builder = new BatchBuilder((batch) =>
    post({ type: "batch", batch }, [
      batch.positions.buffer,
      batch.normals.buffer,
      batch.colors.buffer,
      batch.indices.buffer,
      batch.ranges.buffer,
      batch.bounds.buffer,
    ] as ArrayBuffer[]),
  );
  let lastPost = 0;
  let streamed = 0;
  api.StreamAllMeshes(modelID, (mesh) => {
    builder.addMesh(api, modelID, mesh);
    streamed += 1;
    const now = performance.now();
    if (now - lastPost > 100) {
      lastPost = now;
      post({ type: "progress", phase: "geometry", loaded: streamed, total: 0 });
    }
  });
  builder.flush();
  const t3 = performance.now();

  post({ type: "progress", phase: "metadata", loaded: 0, total: builder.elementIds.size });
  const meta = extractMetadata(api, modelID, [...builder.elementIds]);
  post({ type: "meta", meta }, [
    meta.expressIDs.buffer,
    meta.classIndex.buffer,
    meta.storeyIndex.buffer,
  ] as ArrayBuffer[]);
  const t4 = performance.now();
  api.CloseModel(modelID);
  post({
    type: "done",
    schema,
    elements: builder.elementIds.size,
    triangles: builder.triangles,
    bytes: data.length,
    timings: {
      download: t1 - t0,
      parse: t2 - t1,
      geometry: t3 - t2,
      metadata: t4 - t3,
      total: t4 - t0,
    },
  });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  if (event.data.type !== "load") return;
  load(event.data.url).catch((error: unknown) =>
    post({ type: "error", message: error instanceof Error ? error.message : String(error) }),
  );
};
