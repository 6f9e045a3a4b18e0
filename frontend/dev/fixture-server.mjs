// Development-only stand-in for the bimflow API (never bundled, never shipped).
// It answers the endpoints of the API contract from real IFC files read with
// web-ifc, and serves ../dist for every other path, like the Django server.
// Usage: node dev/fixture-server.mjs [port]   (BIMFLOW_TEST_DATA=../../shared/data)
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as WebIFC from "web-ifc";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, "../dist");
const data = process.env.BIMFLOW_TEST_DATA ?? path.resolve(here, "../../../shared/data");
const port = Number(process.argv[2] ?? 8765);
const extraFiles = (process.env.FIXTURE_EXTRA_IFC ?? "").split(",").filter(Boolean);

const api = new WebIFC.IfcAPI();
await api.Init();

const ref = (v) => (v && typeof v === "object" && "value" in v ? v.value : v);

function readModel(file) {
  const bytes = fs.readFileSync(file);
  const id = api.OpenModel(new Uint8Array(bytes));
  const schema = api.GetModelSchema(id);
  const parent = new Map();
  for (const type of [WebIFC.IFCRELCONTAINEDINSPATIALSTRUCTURE, WebIFC.IFCRELAGGREGATES]) {
    const rels = api.GetLineIDsWithType(id, type);
    for (let i = 0; i < rels.size(); i++) {
      const rel = api.GetLine(id, rels.get(i));
      const whole = ref(rel.RelatingStructure ?? rel.RelatingObject);
      for (const r of rel.RelatedElements ?? rel.RelatedObjects ?? [])
        if (!parent.has(r.value)) parent.set(r.value, whole);
    }
  }
  const storeys = new Map();
  const sl = api.GetLineIDsWithType(id, WebIFC.IFCBUILDINGSTOREY);
  for (let i = 0; i < sl.size(); i++)
    storeys.set(sl.get(i), ref(api.GetLine(id, sl.get(i)).Name) ?? "Storey");
  const storeyOf = (e) => {
    for (let d = 0, c = e; d < 8 && c !== undefined; d++, c = parent.get(c))
      if (storeys.has(c)) return storeys.get(c);
    return null;
  };
  const psetsByElement = new Map();
  const defs = api.GetLineIDsWithType(id, WebIFC.IFCRELDEFINESBYPROPERTIES);
  for (let i = 0; i < defs.size(); i++) {
    const rel = api.GetLine(id, defs.get(i));
    const pset = api.GetLine(id, ref(rel.RelatingPropertyDefinition));
    const props = {};
    for (const p of pset.HasProperties ?? pset.Quantities ?? []) {
      const line = api.GetLine(id, p.value);
      const value =
        line.NominalValue ??
        line.LengthValue ??
        line.AreaValue ??
        line.VolumeValue ??
        line.CountValue ??
        line.WeightValue;
      props[ref(line.Name)] = value === undefined || value === null ? null : ref(value);
    }
    const kind = pset.Quantities ? "qto" : "pset";
    for (const r of rel.RelatedObjects ?? []) {
      if (!psetsByElement.has(r.value)) psetsByElement.set(r.value, []);
      psetsByElement.get(r.value).push({ name: ref(pset.Name), kind, props });
    }
  }
  const elements = [];
  const all = api.GetAllLines(id);
  for (let i = 0; i < all.size(); i++) {
    const eid = all.get(i);
    const type = api.GetLineType(id, eid);
    if (!api.IsIfcElement(type)) continue;
    const line = api.GetLine(id, eid);
    if (!line.GlobalId || !line.ObjectPlacement) continue;
    const psetList = psetsByElement.get(eid) ?? [];
    const psets = {};
    for (const p of psetList) psets[p.name] = { ...(psets[p.name] ?? {}), ...p.props };
    elements.push({
      guid: ref(line.GlobalId),
      ifc_class: api.GetNameFromTypeCode(type),
      name: ref(line.Name) ?? null,
      description: ref(line.Description) ?? null,
      object_type: ref(line.ObjectType) ?? null,
      predefined_type: ref(line.PredefinedType) ?? null,
      type_name: null,
      type_class: null,
      storey: storeyOf(eid),
      materials: [],
      systems: [],
      classifications: [],
      has_geometry: Boolean(line.Representation),
      _psetList: psetList,
      psets,
    });
  }
  api.CloseModel(id);
  return { schema, elements, size: bytes.length };
}

const now = Date.now();
const iso = (minutesAgo) => new Date(now - minutesAgo * 60_000).toISOString();
const user = { id: 1, username: "anna", email: "anna@example.com", is_superuser: true };
const projects = [
  {
    id: 1,
    name: "Schependomlaan housing",
    description: "Coordination of the subcontractor models.",
    created_at: iso(60 * 24 * 30),
    role: "admin",
  },
  {
    id: 2,
    name: "KIT sample house",
    description: "",
    created_at: iso(60 * 24 * 3),
    role: "viewer",
  },
];
const members = {
  1: [
    { user: 1, username: "anna", role: "admin" },
    { user: 2, username: "bram", role: "coordinator" },
    { user: 3, username: "chris", role: "viewer" },
  ],
  2: [{ user: 1, username: "anna", role: "viewer" }],
};
const sources = [
  { project: 1, model: "AC20-FZK-Haus", file: "ifc/AC20-FZK-Haus.ifc" },
  { project: 1, model: "GEELEN-Breedplaat", file: "ifc/GEELEN-Breedplaat V1.ifc" },
  { project: 1, model: "GEELEN-Breedplaat", file: "ifc/GEELEN-Breedplaat V2.ifc" },
  { project: 1, model: "GEELEN-Breedplaat", file: "ifc/GEELEN-Breedplaat V3.ifc" },
  { project: 1, model: "BERNTS-Staalconstructie", file: "ifc/BERNTS-Staalconstructie.ifc" },
  // Extra (large) files are only served to the viewer: no catalog is read for them.
  ...extraFiles.map((file) => ({
    project: 1,
    model: path.basename(file).replace(/\.ifc$/i, ""),
    file: path.resolve(file),
    light: true,
  })),
];
const models = [];
const versions = [];
for (const [i, s] of sources.entries()) {
  const file = path.isAbsolute(s.file) ? s.file : path.join(data, s.file);
  const t0 = performance.now();
  const parsed = s.light
    ? { schema: "IFC4", elements: [], size: fs.statSync(file).size }
    : readModel(file);
  console.log(
    `read ${path.basename(file)}: ${parsed.elements.length} elements in ${Math.round(performance.now() - t0)} ms`,
  );
  let model = models.find((m) => m.name === s.model);
  if (!model) {
    model = { id: models.length + 1, project: s.project, name: s.model, created_at: iso(500 - i) };
    models.push(model);
  }
  const number = versions.filter((v) => v.model === model.id).length + 1;
  versions.push({
    id: 100 + i,
    model: model.id,
    model_name: model.name,
    project: s.project,
    number,
    status: "ready",
    progress: 100,
    error: null,
    file_name: path.basename(file),
    file_size: parsed.size,
    sha256: "0".repeat(64),
    schema: parsed.schema,
    application: "fixture",
    created_at: iso(400 - i * 10),
    uploaded_by: "anna",
    ready_at: iso(399 - i * 10),
    element_count: parsed.elements.length,
    _file: file,
    _elements: parsed.elements,
  });
}
const pub = (v) => Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith("_")));
const latest = (m) =>
  versions.filter((v) => v.model === m.id).sort((a, b) => b.number - a.number)[0] ?? null;
const modelJson = (m) => ({
  id: m.id,
  name: m.name,
  version_count: versions.filter((v) => v.model === m.id).length,
  latest_version: latest(m) ? pub(latest(m)) : null,
  created_at: m.created_at,
});
const row = (e, withPsets) => {
  const { _psetList, psets, ...rest } = e;
  return withPsets ? { ...rest, psets } : rest;
};

function statistics(v) {
  const count = (key) => {
    const m = new Map();
    for (const e of v._elements) m.set(e[key], (m.get(e[key]) ?? 0) + 1);
    return m;
  };
  const byClass = count("ifc_class");
  const byStorey = count("storey");
  const cov = new Map();
  for (const e of v._elements)
    for (const p of Object.keys(e.psets)) {
      const k = `${e.ifc_class}|${p}`;
      cov.set(k, (cov.get(k) ?? 0) + 1);
    }
  return {
    totals: {
      elements: v._elements.length,
      classes: byClass.size,
      storeys: [...byStorey.keys()].filter(Boolean).length,
      property_values: v._elements.reduce(
        (s, e) => s + Object.values(e.psets).reduce((t, p) => t + Object.keys(p).length, 0),
        0,
      ),
      materials: 0,
      systems: 0,
      with_geometry: v._elements.filter((e) => e.has_geometry).length,
    },
    by_class: [...byClass]
      .map(([ifc_class, c]) => ({ ifc_class, count: c }))
      .sort((a, b) => b.count - a.count),
    by_storey: [...byStorey].map(([storey, c]) => ({ storey, count: c })),
    property_coverage: [...cov].map(([k, c]) => {
      const [ifc_class, pset] = k.split("|");
      return { ifc_class, pset, count: c, share: c / byClass.get(ifc_class) };
    }),
    materials: [],
    systems: [],
  };
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

const MIME = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".html": "text/html",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".glb": "model/gltf-binary",
};

function serveStatic(req, res, pathname) {
  let file = path.join(dist, pathname);
  if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory())
    file = path.join(dist, "index.html");
  res.writeHead(200, { "Content-Type": MIME[path.extname(file)] ?? "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
}

async function readBody(req) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  try {
    return JSON.parse(raw || "{}");
  } catch {
    return {};
  }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  const p = url.pathname;
  const m = (re) => p.match(re);
  if (!p.startsWith("/api/")) return serveStatic(req, res, p);
  const loggedIn = (req.headers.cookie ?? "").includes("fixture_session=1");
  let match;
  if (p === "/api/auth/csrf/")
    return send(res, 200, {}, { "Set-Cookie": "csrftoken=fixture; Path=/" });
  if (p === "/api/auth/login/") {
    const b = await readBody(req);
    return b.password === "wrong"
      ? send(res, 400, { detail: "Unable to log in with provided credentials." })
      : send(res, 200, user, { "Set-Cookie": "fixture_session=1; Path=/" });
  }
  if (p === "/api/auth/logout/")
    return send(res, 200, {}, { "Set-Cookie": "fixture_session=0; Path=/" });
  if (p === "/api/health/")
    return send(res, 200, {
      status: "ok",
      database: "ok",
      broker: "ok",
      workers: 1,
      sandbox: "ok",
    });
  if (!loggedIn && !process.env.FIXTURE_AUTO_LOGIN)
    return send(res, 403, { detail: "Authentication credentials were not provided." });
  if (p === "/api/auth/me/") return send(res, 200, user);
  if (p === "/api/projects/") {
    if (req.method === "POST") {
      const b = await readBody(req);
      if (!b.name) return send(res, 400, { name: ["This field may not be blank."] });
      const proj = {
        id: projects.length + 1,
        name: b.name,
        description: b.description ?? "",
        created_at: new Date().toISOString(),
        role: "admin",
      };
      projects.push(proj);
      members[proj.id] = [{ user: 1, username: "anna", role: "admin" }];
      return send(res, 201, proj);
    }
    return send(res, 200, {
      count: projects.length,
      next: null,
      previous: null,
      results: projects,
    });
  }
  if ((match = m(/^\/api\/projects\/(\d+)\/$/))) {
    const proj = projects.find((x) => x.id === +match[1]);
    return proj ? send(res, 200, proj) : send(res, 404, { detail: "Not found." });
  }
  if ((match = m(/^\/api\/projects\/(\d+)\/members\/$/))) {
    if (req.method === "POST") {
      const b = await readBody(req);
      if (b.username === "nobody")
        return send(res, 400, { username: ["No user with this username."] });
      const mem = { user: 10 + members[match[1]].length, username: b.username, role: b.role };
      members[match[1]].push(mem);
      return send(res, 201, mem);
    }
    return send(res, 200, members[match[1]] ?? []);
  }
  if ((match = m(/^\/api\/projects\/(\d+)\/members\/(\d+)\/$/))) {
    const list = members[match[1]];
    const idx = list.findIndex((x) => x.user === +match[2]);
    if (req.method === "DELETE") {
      list.splice(idx, 1);
      return send(res, 204);
    }
    const b = await readBody(req);
    list[idx].role = b.role;
    return send(res, 200, list[idx]);
  }
  if ((match = m(/^\/api\/projects\/(\d+)\/models\/$/)))
    return send(res, 200, models.filter((x) => x.project === +match[1]).map(modelJson));
  if ((match = m(/^\/api\/projects\/(\d+)\/versions\/$/))) {
    for await (const _ of req);
    return send(res, 409, {
      detail: "This file is identical to version 1 of model AC20-FZK-Haus (uploaded yesterday).",
    });
  }
  if ((match = m(/^\/api\/models\/(\d+)\/$/)))
    return send(res, 200, modelJson(models.find((x) => x.id === +match[1])));
  if ((match = m(/^\/api\/models\/(\d+)\/versions\/$/)))
    return send(
      res,
      200,
      versions
        .filter((v) => v.model === +match[1])
        .sort((a, b) => b.number - a.number)
        .map(pub),
    );
  match = m(/^\/api\/versions\/(\d+)\//);
  const v = match ? versions.find((x) => x.id === +match[1]) : null;
  if (match && !v) return send(res, 404, { detail: "Not found." });
  if (m(/^\/api\/versions\/\d+\/$/)) return send(res, 200, pub(v));
  if (m(/^\/api\/versions\/\d+\/(ifc|download)\/$/)) {
    const size = fs.statSync(v._file).size;
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": size });
    return fs.createReadStream(v._file).pipe(res);
  }
  if (m(/^\/api\/versions\/\d+\/statistics\/$/)) return send(res, 200, statistics(v));
  if (m(/^\/api\/versions\/\d+\/metadata\/$/))
    return send(res, 200, {
      schema: v.schema,
      header: {
        file_name: v.file_name,
        time_stamp: v.created_at,
        author: ["Anna"],
        organization: ["bimflow"],
        preprocessor_version: "fixture",
        originating_system: "fixture",
        authorization: "",
        view_definition: "CoordinationView",
      },
      application: "fixture",
      project: { name: v.model_name, description: null },
      site: { name: "Site", latitude: [49, 1, 0], longitude: [8, 25, 0], elevation: 110 },
      building: { name: "Building" },
      units: [
        { type: "LENGTHUNIT", name: "METRE", symbol: "m" },
        { type: "AREAUNIT", name: "SQUARE_METRE", symbol: "m²" },
      ],
      georeferencing: null,
      counts: { products: v._elements.length },
    });
  if (m(/^\/api\/versions\/\d+\/diff\/$/)) {
    const other = versions.find((x) => x.id === +url.searchParams.get("to"));
    const a = new Map(v._elements.map((e) => [e.guid, e]));
    const b = new Map(other._elements.map((e) => [e.guid, e]));
    const short = (e) => ({ guid: e.guid, ifc_class: e.ifc_class, name: e.name });
    const added = [...b.values()].filter((e) => !a.has(e.guid)).map(short);
    const removed = [...a.values()].filter((e) => !b.has(e.guid)).map(short);
    const changed = [];
    let unchanged = 0;
    for (const [g, e] of a) {
      const f = b.get(g);
      if (!f) continue;
      const changes = ["name", "ifc_class", "storey"]
        .filter((k) => e[k] !== f[k])
        .map((k) => ({ field: k, old: e[k], new: f[k] }));
      if (changes.length) changed.push({ ...short(f), changes });
      else unchanged++;
    }
    return send(res, 200, {
      from: v.id,
      to: other.id,
      counts: { added: added.length, removed: removed.length, changed: changed.length, unchanged },
      added,
      removed,
      changed,
    });
  }
  if ((match = m(/^\/api\/versions\/\d+\/elements\/([^/]+)\/$/))) {
    const e = v._elements.find((x) => x.guid === decodeURIComponent(match[1]));
    if (!e) return send(res, 404, { detail: "No element with this GlobalId in this version." });
    const properties = e._psetList.flatMap((ps) =>
      Object.entries(ps.props).map(([name, value]) => ({
        pset: ps.name,
        name,
        value,
        unit: null,
        value_type: typeof value,
        source: "own",
        kind: ps.kind,
      })),
    );
    return send(res, 200, { ...row(e, true), properties });
  }
  if (m(/^\/api\/versions\/\d+\/elements\/$/)) {
    const q = url.searchParams;
    let list = v._elements;
    if (q.get("ifc_class")) list = list.filter((e) => e.ifc_class === q.get("ifc_class"));
    if (q.get("storey")) list = list.filter((e) => e.storey === q.get("storey"));
    if (q.get("has_pset")) list = list.filter((e) => q.get("has_pset") in e.psets);
    if (q.get("search")) {
      const s = q.get("search").toLowerCase();
      list = list.filter((e) => `${e.guid} ${e.name} ${e.ifc_class}`.toLowerCase().includes(s));
    }
    const ord = q.get("ordering");
    if (ord) {
      const k = ord.replace("-", "");
      const dir = ord.startsWith("-") ? -1 : 1;
      list = [...list].sort((x, y) => dir * String(x[k] ?? "").localeCompare(String(y[k] ?? "")));
    }
    const page = +(q.get("page") ?? 1);
    const size = Math.min(1000, +(q.get("page_size") ?? 100));
    return send(res, 200, {
      count: list.length,
      next: null,
      previous: null,
      results: list
        .slice((page - 1) * size, page * size)
        .map((e) => row(e, q.get("fields") === "psets")),
    });
  }
  send(res, 404, { detail: "Not found." });
});
server.listen(port, "127.0.0.1", () => console.log(`fixture server on http://127.0.0.1:${port}`));
