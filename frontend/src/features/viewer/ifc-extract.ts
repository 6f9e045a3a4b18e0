// web-ifc extraction shared by the worker and the Node benchmark (bench/frontend).
import * as WebIFC from "web-ifc";
import type { ElementMeta, MeshBatch } from "./worker-protocol";
import { RANGE_STRIDE } from "./worker-protocol";

/** Flush a batch at this many vertices (about 10 MB of buffers). */
const BATCH_VERTICES = 350_000;
/** ...or after this long, so the first geometry shows up quickly. */
const BATCH_MS = 250;

class Part {
  positions: number[] = [];
  normals: number[] = [];
  colors: number[] = [];
  indices: number[] = [];
  ranges: number[] = [];
  bounds: number[] = [];
  vertexCount = 0;
}

/** Accumulates placed geometries into big typed arrays, opaque and transparent apart. */
export class BatchBuilder {
  private opaque = new Part();
  private transparent = new Part();
  private nextId = 0;
  private lastFlush = performance.now();
  readonly elementIds = new Set<number>();
  triangles = 0;

  constructor(private readonly emit: (batch: MeshBatch) => void) {}

  addMesh(api: WebIFC.IfcAPI, modelID: number, mesh: WebIFC.FlatMesh) {
    const placed = mesh.geometries;
    const count = placed.size();
    for (let i = 0; i < count; i += 1) {
      const geometry = placed.get(i);
      const ifcGeometry = api.GetGeometry(modelID, geometry.geometryExpressID);
      const vertexData = api.GetVertexArray(
        ifcGeometry.GetVertexData(),
        ifcGeometry.GetVertexDataSize(),
      );
      const indexData = api.GetIndexArray(
        ifcGeometry.GetIndexData(),
        ifcGeometry.GetIndexDataSize(),
      );
      this.addGeometry(
        mesh.expressID,
        vertexData,
        indexData,
        geometry.flatTransformation,
        geometry.color,
      );
      ifcGeometry.delete();
    }
    this.elementIds.add(mesh.expressID);
    const now = performance.now();
    if (
      this.opaque.vertexCount + this.transparent.vertexCount > BATCH_VERTICES ||
      now - this.lastFlush > BATCH_MS
    ) {
      this.flush();
    }
  }

  private addGeometry(
    expressID: number,
    vertexData: Float32Array,
    indexData: Uint32Array,
    m: number[],
    color: WebIFC.Color,
  ) {
    const vertices = vertexData.length / 6;
    if (vertices === 0 || indexData.length === 0) return;
    const part = color.w < 0.999 ? this.transparent : this.opaque;
    const vertexStart = part.vertexCount;
    const indexStart = part.indices.length;
    const r = Math.round(color.x * 255);
    const g = Math.round(color.y * 255);
    const b = Math.round(color.z * 255);
    const a = Math.round(color.w * 255);
    let minX = Infinity,
      minY = Infinity,
      minZ = Infinity;
    let maxX = -Infinity,
      maxY = -Infinity,
      maxZ = -Infinity;
    for (let v = 0; v < vertices; v += 1) {
      const o = v * 6;
      const x = vertexData[o],
        y = vertexData[o + 1],
        z = vertexData[o + 2];
      // Column-major 4x4 (the layout three.js Matrix4.fromArray expects).
      const px = m[0] * x + m[4] * y + m[8] * z + m[12];
      const py = m[1] * x + m[5] * y + m[9] * z + m[13];
      const pz = m[2] * x + m[6] * y + m[10] * z + m[14];
      const nx0 = vertexData[o + 3],
        ny0 = vertexData[o + 4],
        nz0 = vertexData[o + 5];
      let nx = m[0] * nx0 + m[4] * ny0 + m[8] * nz0;
      let ny = m[1] * nx0 + m[5] * ny0 + m[9] * nz0;
      let nz = m[2] * nx0 + m[6] * ny0 + m[10] * nz0;
      const len = Math.hypot(nx, ny, nz) || 1;
      nx /= len;
      ny /= len;
      nz /= len;
      part.positions.push(px, py, pz);
      part.normals.push(nx, ny, nz);
      part.colors.push(r, g, b, a);
      if (px < minX) minX = px;
      if (py < minY) minY = py;
      if (pz < minZ) minZ = pz;
      if (px > maxX) maxX = px;
      if (py > maxY) maxY = py;
      if (pz > maxZ) maxZ = pz;
    }
    for (let i = 0; i < indexData.length; i += 1) part.indices.push(indexData[i] + vertexStart);
    part.vertexCount += vertices;
    part.ranges.push(expressID, indexStart, indexData.length, vertexStart, vertices);
    part.bounds.push(minX, minY, minZ, maxX, maxY, maxZ);
    this.triangles += indexData.length / 3;
  }

  flush() {
    this.lastFlush = performance.now();
    for (const [part, transparent] of [
      [this.opaque, false],
      [this.transparent, true],
    ] as const) {
      if (part.vertexCount === 0) continue;
      this.emit({
        id: this.nextId++,
        transparent,
        positions: new Float32Array(part.positions),
        normals: new Float32Array(part.normals),
        colors: new Uint8Array(part.colors),
        indices: new Uint32Array(part.indices),
        ranges: new Int32Array(part.ranges),
        bounds: new Float32Array(part.bounds),
      });
      if (part.ranges.length % RANGE_STRIDE !== 0) throw new Error("corrupt range table");
    }
    this.opaque = new Part();
    this.transparent = new Part();
  }
}

interface Ref {
  value: number;
}

function refs(value: unknown): number[] {
  if (Array.isArray(value))
    return value.map((v: Ref) => v?.value).filter((v) => typeof v === "number");
  if (value && typeof value === "object" && typeof (value as Ref).value === "number")
    return [(value as Ref).value];
  return [];
}

/** GUID, class and storey of each element that has geometry. */
export function extractMetadata(api: WebIFC.IfcAPI, modelID: number, ids: number[]): ElementMeta {
  // Spatial tree: element -> container (IfcRelContainedInSpatialStructure), part -> whole (IfcRelAggregates).
  const parent = new Map<number, number>();
  const contained = api.GetLineIDsWithType(modelID, WebIFC.IFCRELCONTAINEDINSPATIALSTRUCTURE);
  for (let i = 0; i < contained.size(); i += 1) {
    const rel = api.GetLine(modelID, contained.get(i), false);
    const structure = refs(rel.RelatingStructure)[0];
    for (const element of refs(rel.RelatedElements)) parent.set(element, structure);
  }
  const aggregates = api.GetLineIDsWithType(modelID, WebIFC.IFCRELAGGREGATES);
  for (let i = 0; i < aggregates.size(); i += 1) {
    const rel = api.GetLine(modelID, aggregates.get(i), false);
    const whole = refs(rel.RelatingObject)[0];
    for (const part of refs(rel.RelatedObjects)) if (!parent.has(part)) parent.set(part, whole);
  }
  const storeyIds = new Set<number>();
  const storeyList = api.GetLineIDsWithType(modelID, WebIFC.IFCBUILDINGSTOREY);
  const storeyNames: string[] = [];
  const storeyIndexById = new Map<number, number>();
  const storeys: { id: number; name: string; elevation: number }[] = [];
  for (let i = 0; i < storeyList.size(); i += 1) {
    const id = storeyList.get(i);
    const line = api.GetLine(modelID, id, false);
    storeyIds.add(id);
    storeys.push({
      id,
      name: line.Name?.value || `Storey #${id}`,
      elevation: Number(line.Elevation?.value ?? 0),
    });
  }
  storeys.sort((a, b) => b.elevation - a.elevation);
  for (const storey of storeys) {
    storeyIndexById.set(storey.id, storeyNames.length);
    storeyNames.push(storey.name);
  }
  const storeyOf = (id: number): number => {
    let current: number | undefined = id;
    for (let depth = 0; depth < 8 && current !== undefined; depth += 1) {
      if (storeyIds.has(current)) return storeyIndexById.get(current)!;
      current = parent.get(current);
    }
    return -1;
  };

  const classNames: string[] = [];
  const classIndexByCode = new Map<number, number>();
  const expressIDs = new Int32Array(ids.length);
  const classIndex = new Uint16Array(ids.length);
  const storeyIndex = new Int16Array(ids.length);
  const guids: string[] = new Array(ids.length);
  ids.forEach((id, i) => {
    expressIDs[i] = id;
    const code = api.GetLineType(modelID, id);
    let index = classIndexByCode.get(code);
    if (index === undefined) {
      index = classNames.length;
      classIndexByCode.set(code, index);
      classNames.push(api.GetNameFromTypeCode(code));
    }
    classIndex[i] = index;
    storeyIndex[i] = storeyOf(id);
    const line = api.GetLine(modelID, id, false);
    guids[i] = line.GlobalId?.value ?? "";
  });
  return { expressIDs, guids, classIndex, classNames, storeyIndex, storeyNames };
}
