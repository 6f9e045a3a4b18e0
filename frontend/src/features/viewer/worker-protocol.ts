/** Messages between the viewer and its web-ifc worker. */

export type LoadPhase = "download" | "parse" | "geometry" | "metadata";

export interface MeshBatch {
  id: number;
  transparent: boolean;
  /** xyz per vertex, already placed in model coordinates (Y up). */
  positions: Float32Array;
  normals: Float32Array;
  /** rgba per vertex, 0..255. */
  colors: Uint8Array;
  indices: Uint32Array;
  /**
   * One record per placed geometry, RANGE_STRIDE ints each:
   * expressID, indexStart, indexCount, vertexStart, vertexCount.
   */
  ranges: Int32Array;
  /** minX, minY, minZ, maxX, maxY, maxZ per range. */
  bounds: Float32Array;
}

export const RANGE_STRIDE = 5;

export interface ElementMeta {
  expressIDs: Int32Array;
  guids: string[];
  classIndex: Uint16Array;
  classNames: string[];
  /** -1 when the element is in no storey. */
  storeyIndex: Int16Array;
  storeyNames: string[];
}

export interface LoadTimings {
  download: number;
  parse: number;
  geometry: number;
  metadata: number;
  total: number;
}

export type ToWorker = { type: "load"; url: string };

export type FromWorker =
  | { type: "progress"; phase: LoadPhase; loaded: number; total: number }
  | { type: "batch"; batch: MeshBatch }
  | { type: "meta"; meta: ElementMeta }
  | {
      type: "done";
      schema: string;
      elements: number;
      triangles: number;
      bytes: number;
      timings: LoadTimings;
    }
  | { type: "error"; message: string };
