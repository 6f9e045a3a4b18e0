import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import type { ElementMeta, FromWorker, LoadPhase, LoadTimings, MeshBatch } from "./worker-protocol";
import { RANGE_STRIDE } from "./worker-protocol";

export type Rgb = [number, number, number];

interface BatchState {
  mesh: THREE.Mesh<THREE.BufferGeometry, THREE.MeshLambertMaterial>;
  data: MeshBatch;
  /** The IFC colours, to restore after colouring or selection. */
  base: Uint8Array;
  colorAttr: THREE.BufferAttribute;
  transparent: boolean;
}

interface ElementState {
  guid: string;
  className: string;
  storey: string | null;
  /** [batch index, range index] per placed geometry. */
  parts: [number, number][];
}

export interface ModelSummary {
  schema: string;
  elements: number;
  triangles: number;
  bytes: number;
  timings: LoadTimings;
  classes: { name: string; count: number }[];
  storeys: { name: string; count: number }[];
}

export interface LoadProgress {
  phase: LoadPhase;
  loaded: number;
  total: number;
}

export interface EngineCallbacks {
  onProgress?: (progress: LoadProgress) => void;
  onFirstGeometry?: () => void;
  onLoaded?: (summary: ModelSummary) => void;
  onError?: (message: string) => void;
  onSelect?: (guid: string | null) => void;
}

export type SectionAxis = "x" | "y" | "z";

export interface SectionState {
  enabled: boolean;
  axis: SectionAxis;
  /** 0..1 across the model's bounding box. */
  position: number;
  flip: boolean;
}

const SELECT_COLOR: Rgb = [255, 140, 0];

/**
 * three.js scene for one IFC model streamed from the web-ifc worker.
 * Elements are merged into a few big meshes (fast to draw); per-element
 * visibility and colour are vertex alphas/colours, so toggling 50,000
 * elements never rebuilds geometry. Renders on demand only.
 */
export class ViewerEngine {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera: THREE.PerspectiveCamera;
  readonly controls: OrbitControls;
  private worker: Worker | null = null;
  private batches: BatchState[] = [];
  private elements = new Map<number, ElementState>();
  private guidToId = new Map<string, number>();
  private pendingRanges: { batch: number; ranges: Int32Array }[] = [];
  private hidden = new Set<number>();
  private colours = new Map<number, Rgb>();
  private selected: number | null = null;
  private bounds = new THREE.Box3();
  private clipPlane = new THREE.Plane(new THREE.Vector3(0, -1, 0), 0);
  private section: SectionState = { enabled: false, axis: "y", position: 0.5, flip: false };
  private frame = 0;
  private resizeObserver: ResizeObserver;
  private pointerDown: { x: number; y: number } | null = null;
  private disposed = false;
  private fittedOnce = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly callbacks: EngineCallbacks = {},
  ) {
    this.renderer = new THREE.WebGLRenderer({
      antialias: true,
      alpha: true,
      powerPreference: "high-performance",
    });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.localClippingEnabled = true;
    this.renderer.domElement.style.display = "block";
    this.renderer.domElement.setAttribute("aria-label", "3D view of the model");
    this.renderer.domElement.tabIndex = 0;
    container.appendChild(this.renderer.domElement);

    this.camera = new THREE.PerspectiveCamera(45, 1, 0.05, 5000);
    this.camera.position.set(20, 20, 20);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.screenSpacePanning = true;
    this.controls.addEventListener("change", this.requestRender);
    this.controls.listenToKeyEvents(this.renderer.domElement);

    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x888899, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.4);
    sun.position.set(1, 2, 1.5);
    this.scene.add(sun);
    const fill = new THREE.DirectionalLight(0xffffff, 0.5);
    fill.position.set(-1.5, 0.5, -1);
    this.scene.add(fill);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();

    const canvas = this.renderer.domElement;
    canvas.addEventListener("pointerdown", this.onPointerDown);
    canvas.addEventListener("pointerup", this.onPointerUp);
  }

  load(url: string) {
    this.worker = new Worker(new URL("./ifc-worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.onWorkerMessage(event.data);
    this.worker.onerror = (event) =>
      this.callbacks.onError?.(event.message || "The 3D loader crashed while reading the model.");
    this.worker.postMessage({ type: "load", url });
  }

  private onWorkerMessage(message: FromWorker) {
    if (this.disposed) return;
    switch (message.type) {
      case "progress":
        this.callbacks.onProgress?.(message);
        break;
      case "batch":
        this.addBatch(message.batch);
        break;
      case "meta":
        this.applyMeta(message.meta);
        break;
      case "done": {
        this.worker?.terminate();
        this.worker = null;
        const classes = new Map<string, number>();
        const storeys = new Map<string, number>();
        for (const element of this.elements.values()) {
          classes.set(element.className, (classes.get(element.className) ?? 0) + 1);
          const storey = element.storey ?? "";
          storeys.set(storey, (storeys.get(storey) ?? 0) + 1);
        }
        this.fit();
        this.callbacks.onLoaded?.({
          schema: message.schema,
          elements: message.elements,
          triangles: message.triangles,
          bytes: message.bytes,
          timings: message.timings,
          classes: [...classes]
            .map(([name, count]) => ({ name, count }))
            .sort((a, b) => a.name.localeCompare(b.name)),
          storeys: this.storeyOrder
            .filter((s) => storeys.has(s))
            .map((name) => ({ name, count: storeys.get(name)! }))
            .concat(storeys.has("") ? [{ name: "", count: storeys.get("")! }] : []),
        });
        break;
      }
      case "error":
        this.worker?.terminate();
        this.worker = null;
        this.callbacks.onError?.(message.message);
        break;
    }
  }

  private storeyOrder: string[] = [];

  private addBatch(batch: MeshBatch) {
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.BufferAttribute(batch.positions, 3));
    geometry.setAttribute("normal", new THREE.BufferAttribute(batch.normals, 3));
    const colorAttr = new THREE.BufferAttribute(new Uint8Array(batch.colors), 4, true);
    colorAttr.setUsage(THREE.DynamicDrawUsage);
    geometry.setAttribute("color", colorAttr);
    geometry.setIndex(new THREE.BufferAttribute(batch.indices, 1));
    geometry.computeBoundingBox();
    geometry.computeBoundingSphere();
    const material = new THREE.MeshLambertMaterial({
      vertexColors: true,
      side: THREE.DoubleSide,
      transparent: batch.transparent,
      depthWrite: !batch.transparent,
      // Hidden elements get alpha 0 and are discarded by the alpha test.
      alphaTest: batch.transparent ? 0.01 : 0.5,
      clippingPlanes: this.section.enabled ? [this.clipPlane] : [],
      polygonOffset: true,
      polygonOffsetFactor: 1,
      polygonOffsetUnits: 1,
    });
    const mesh = new THREE.Mesh(geometry, material);
    mesh.renderOrder = batch.transparent ? 1 : 0;
    mesh.matrixAutoUpdate = false;
    this.scene.add(mesh);
    const index = this.batches.length;
    this.batches.push({
      mesh,
      data: batch,
      base: batch.colors,
      colorAttr,
      transparent: batch.transparent,
    });
    if (geometry.boundingBox) this.bounds.union(geometry.boundingBox);
    this.pendingRanges.push({ batch: index, ranges: batch.ranges });
    if (!this.fittedOnce) {
      this.fittedOnce = true;
      this.fit();
      this.callbacks.onFirstGeometry?.();
    }
    this.requestRender();
  }

  private applyMeta(meta: ElementMeta) {
    const byId = new Map<number, number>();
    meta.expressIDs.forEach((id, i) => byId.set(id, i));
    this.storeyOrder = meta.storeyNames;
    for (const { batch, ranges } of this.pendingRanges) {
      for (let r = 0; r < ranges.length / RANGE_STRIDE; r += 1) {
        const id = ranges[r * RANGE_STRIDE];
        let element = this.elements.get(id);
        if (!element) {
          const i = byId.get(id);
          const storey = i === undefined ? -1 : meta.storeyIndex[i];
          element = {
            guid: i === undefined ? "" : meta.guids[i],
            className: i === undefined ? "Unknown" : meta.classNames[meta.classIndex[i]],
            storey: storey >= 0 ? meta.storeyNames[storey] : null,
            parts: [],
          };
          this.elements.set(id, element);
          if (element.guid) this.guidToId.set(element.guid, id);
        }
        element.parts.push([batch, r]);
      }
    }
    this.pendingRanges = [];
  }

  // ---- element state -----------------------------------------------------

  private paint(ids: Iterable<number>) {
    const touched = new Set<number>();
    for (const id of ids) {
      const element = this.elements.get(id);
      if (!element) continue;
      const hidden = this.hidden.has(id);
      const colour = id === this.selected ? SELECT_COLOR : this.colours.get(id);
      for (const [b, r] of element.parts) {
        const batch = this.batches[b];
        const vStart = batch.data.ranges[r * RANGE_STRIDE + 3];
        const vCount = batch.data.ranges[r * RANGE_STRIDE + 4];
        const array = batch.colorAttr.array as Uint8Array;
        for (let v = vStart; v < vStart + vCount; v += 1) {
          const o = v * 4;
          if (colour) {
            array[o] = colour[0];
            array[o + 1] = colour[1];
            array[o + 2] = colour[2];
          } else {
            array[o] = batch.base[o];
            array[o + 1] = batch.base[o + 1];
            array[o + 2] = batch.base[o + 2];
          }
          array[o + 3] = hidden ? 0 : batch.base[o + 3];
        }
        touched.add(b);
      }
    }
    for (const b of touched) this.batches[b].colorAttr.needsUpdate = true;
    this.requestRender();
  }

  private idsOf(guids: Iterable<string>): number[] {
    const ids: number[] = [];
    for (const guid of guids) {
      const id = this.guidToId.get(guid);
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  hasGuid(guid: string): boolean {
    return this.guidToId.has(guid);
  }

  /** Hides exactly the elements matching the predicate (class/storey filters). */
  setHiddenWhere(predicate: (element: { className: string; storey: string | null }) => boolean) {
    const changed: number[] = [];
    for (const [id, element] of this.elements) {
      const shouldHide = predicate(element);
      if (shouldHide !== this.hidden.has(id)) {
        if (shouldHide) this.hidden.add(id);
        else this.hidden.delete(id);
        changed.push(id);
      }
    }
    this.paint(changed);
  }

  /** Hides everything except the given GUIDs. */
  isolate(guids: string[]) {
    const keep = new Set(this.idsOf(guids));
    const changed: number[] = [];
    for (const id of this.elements.keys()) {
      const shouldHide = !keep.has(id);
      if (shouldHide !== this.hidden.has(id)) {
        if (shouldHide) this.hidden.add(id);
        else this.hidden.delete(id);
        changed.push(id);
      }
    }
    this.paint(changed);
  }

  showAll() {
    const changed = [...this.hidden];
    this.hidden.clear();
    this.paint(changed);
  }

  hiddenCount(): number {
    return this.hidden.size;
  }

  colour(guids: string[], rgb: Rgb) {
    const ids = this.idsOf(guids);
    for (const id of ids) this.colours.set(id, rgb);
    this.paint(ids);
  }

  clearColours() {
    const ids = [...this.colours.keys()];
    this.colours.clear();
    this.paint(ids);
  }

  select(guid: string | null, options: { fit?: boolean; notify?: boolean } = {}) {
    const id = guid ? this.guidToId.get(guid) : undefined;
    const previous = this.selected;
    this.selected = id ?? null;
    const repaint = [previous, this.selected].filter((v): v is number => v !== null);
    this.paint(repaint);
    if (options.fit && this.selected !== null) this.fitIds([this.selected]);
    if (options.notify)
      this.callbacks.onSelect?.(
        this.selected !== null ? this.elements.get(this.selected)!.guid : null,
      );
  }

  selectedGuid(): string | null {
    return this.selected !== null ? (this.elements.get(this.selected)?.guid ?? null) : null;
  }

  // ---- camera --------------------------------------------------------------

  private boxOf(ids: number[]): THREE.Box3 {
    const box = new THREE.Box3();
    for (const id of ids) {
      const element = this.elements.get(id);
      if (!element) continue;
      for (const [b, r] of element.parts) {
        const bounds = this.batches[b].data.bounds;
        box.expandByPoint(new THREE.Vector3(bounds[r * 6], bounds[r * 6 + 1], bounds[r * 6 + 2]));
        box.expandByPoint(
          new THREE.Vector3(bounds[r * 6 + 3], bounds[r * 6 + 4], bounds[r * 6 + 5]),
        );
      }
    }
    return box;
  }

  fitGuids(guids: string[]) {
    this.fitIds(this.idsOf(guids));
  }

  private fitIds(ids: number[]) {
    const box = this.boxOf(ids);
    if (box.isEmpty()) return;
    // Frame small selections with context around them rather than filling the view.
    const modelRadius = this.bounds.getBoundingSphere(new THREE.Sphere()).radius;
    const sphere = box.getBoundingSphere(new THREE.Sphere());
    const wanted = Math.max(sphere.radius * 2.5, modelRadius * 0.2);
    box.expandByScalar(Math.max(0, wanted - sphere.radius));
    this.fitBox(box);
  }

  /** Frames the visible elements (or the whole model). */
  fit() {
    if (this.hidden.size > 0 && this.elements.size > 0) {
      const visible = [...this.elements.keys()].filter((id) => !this.hidden.has(id));
      const box = this.boxOf(visible);
      if (!box.isEmpty()) return this.fitBox(box);
    }
    if (!this.bounds.isEmpty()) this.fitBox(this.bounds);
  }

  private fitBox(box: THREE.Box3) {
    const sphere = box.getBoundingSphere(new THREE.Sphere());
    const radius = Math.max(sphere.radius, 0.5);
    const fov = THREE.MathUtils.degToRad(this.camera.fov);
    const distance = radius / Math.sin(Math.min(fov, fov * this.camera.aspect) / 2);
    const direction = new THREE.Vector3()
      .subVectors(this.camera.position, this.controls.target)
      .normalize();
    if (!Number.isFinite(direction.x) || direction.lengthSq() < 0.5)
      direction.set(1, 0.8, 1).normalize();
    this.controls.target.copy(sphere.center);
    this.camera.position.copy(sphere.center).addScaledVector(direction, distance * 1.05);
    const modelRadius = Math.max(this.bounds.getBoundingSphere(new THREE.Sphere()).radius, radius);
    this.camera.near = Math.max(0.01, distance / 1000);
    this.camera.far = distance + modelRadius * 8;
    this.camera.updateProjectionMatrix();
    this.controls.update();
    this.requestRender();
  }

  // ---- section plane ------------------------------------------------------

  setSection(section: SectionState) {
    const changedEnabled = section.enabled !== this.section.enabled;
    this.section = section;
    const axis = section.axis === "x" ? 0 : section.axis === "y" ? 1 : 2;
    const min = this.bounds.min.getComponent(axis);
    const max = this.bounds.max.getComponent(axis);
    const at = min + (max - min) * section.position;
    const normal = new THREE.Vector3();
    normal.setComponent(axis, section.flip ? 1 : -1);
    // Keeps the part below (or, flipped, above) the cut along the axis.
    this.clipPlane.set(normal, section.flip ? -at : at);
    if (changedEnabled) {
      for (const batch of this.batches) {
        batch.mesh.material.clippingPlanes = section.enabled ? [this.clipPlane] : [];
        batch.mesh.material.needsUpdate = true;
      }
    }
    this.requestRender();
  }

  // ---- picking ------------------------------------------------------------

  private onPointerDown = (event: PointerEvent) => {
    this.pointerDown = { x: event.clientX, y: event.clientY };
  };

  private onPointerUp = (event: PointerEvent) => {
    const down = this.pointerDown;
    this.pointerDown = null;
    // A drag orbits; only a click (little movement) selects.
    if (
      !down ||
      event.button !== 0 ||
      Math.hypot(event.clientX - down.x, event.clientY - down.y) > 4
    )
      return;
    const guid = this.pick(event.clientX, event.clientY);
    this.select(guid, { notify: true });
  };

  /** GUID of the visible, unclipped element under a screen point. */
  pick(clientX: number, clientY: number): string | null {
    const rect = this.renderer.domElement.getBoundingClientRect();
    const pointer = new THREE.Vector2(
      ((clientX - rect.left) / rect.width) * 2 - 1,
      -((clientY - rect.top) / rect.height) * 2 + 1,
    );
    const raycaster = new THREE.Raycaster();
    raycaster.setFromCamera(pointer, this.camera);
    const hits = raycaster.intersectObjects(
      this.batches.map((b) => b.mesh),
      false,
    );
    for (const hit of hits) {
      if (this.section.enabled && this.clipPlane.distanceToPoint(hit.point) < 0) continue;
      const batchIndex = this.batches.findIndex((b) => b.mesh === hit.object);
      if (batchIndex < 0 || hit.faceIndex == null) continue;
      const id = this.elementAtIndex(batchIndex, hit.faceIndex * 3);
      if (id === null || this.hidden.has(id)) continue;
      return this.elements.get(id)?.guid ?? null;
    }
    return null;
  }

  private elementAtIndex(batchIndex: number, indexPosition: number): number | null {
    const ranges = this.batches[batchIndex].data.ranges;
    let lo = 0;
    let hi = ranges.length / RANGE_STRIDE - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = ranges[mid * RANGE_STRIDE + 1];
      const count = ranges[mid * RANGE_STRIDE + 2];
      if (indexPosition < start) hi = mid - 1;
      else if (indexPosition >= start + count) lo = mid + 1;
      else return ranges[mid * RANGE_STRIDE];
    }
    return null;
  }

  // ---- rendering ----------------------------------------------------------

  requestRender = () => {
    if (this.frame || this.disposed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderer.render(this.scene, this.camera);
    });
  };

  private resize() {
    const width = this.container.clientWidth || 1;
    const height = this.container.clientHeight || 1;
    this.renderer.setSize(width, height, false);
    this.renderer.domElement.style.width = "100%";
    this.renderer.domElement.style.height = "100%";
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  dispose() {
    this.disposed = true;
    this.worker?.terminate();
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.frame);
    this.controls.dispose();
    for (const batch of this.batches) {
      batch.mesh.geometry.dispose();
      batch.mesh.material.dispose();
    }
    this.renderer.dispose();
    this.renderer.domElement.remove();
  }
}
