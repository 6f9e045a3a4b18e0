// Test doubles for the network only: the browser's fetch and XMLHttpRequest
// are the boundary between the front end and the bimflow server, so tests
// replace them and keep every line of product code real.
import { vi } from "vitest";

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (
  request: RecordedRequest,
) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;

export interface FetchMock {
  requests: RecordedRequest[];
  on(
    method: string,
    path: string | RegExp,
    handler: Handler | { status?: number; body?: unknown },
  ): void;
  /** Requests to a path (pathname match), in order. */
  calls(path: string | RegExp, method?: string): RecordedRequest[];
}

/** Replaces global fetch with a small router; unknown routes answer 404. */
export function mockFetch(): FetchMock {
  const routes: { method: string; path: string | RegExp; handler: Handler }[] = [];
  const requests: RecordedRequest[] = [];
  const matches = (path: string | RegExp, pathname: string) =>
    typeof path === "string" ? path === pathname : path.test(pathname);

  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(String(input), "http://localhost");
      const method = (init.method ?? "GET").toUpperCase();
      const headers = Object.fromEntries(
        Object.entries((init.headers as Record<string, string>) ?? {}),
      );
      const body = typeof init.body === "string" ? JSON.parse(init.body) : init.body;
      const request = { method, url, headers, body };
      requests.push(request);
      if (init.signal?.aborted) throw new DOMException("Aborted", "AbortError");
      const route = [...routes]
        .reverse()
        .find((r) => r.method === method && matches(r.path, url.pathname));
      if (url.pathname === "/api/auth/csrf/" && !route) {
        document.cookie = "csrftoken=test-token";
        return new Response(null, { status: 204 });
      }
      const result = route
        ? await route.handler(request)
        : { status: 404, body: { detail: "Not found." } };
      const status = result.status ?? 200;
      return new Response(result.body === undefined ? null : JSON.stringify(result.body), {
        status,
        headers: { "Content-Type": "application/json" },
      });
    }),
  );

  return {
    requests,
    on(method, path, handler) {
      routes.push({
        method: method.toUpperCase(),
        path,
        handler: typeof handler === "function" ? handler : () => handler,
      });
    },
    calls(path, method) {
      return requests.filter(
        (r) =>
          (typeof path === "string" ? r.url.pathname === path : path.test(r.url.pathname)) &&
          (!method || r.method === method.toUpperCase()),
      );
    },
  };
}

/** A scriptable XMLHttpRequest: tests send upload progress and the response. */
export class FakeXhr {
  static instances: FakeXhr[] = [];
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: FormData | null = null;
  status = 0;
  responseText = "";
  aborted = false;
  sent = false;
  done = false;
  upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  constructor() {
    FakeXhr.instances.push(this);
  }

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }

  send(body: FormData) {
    this.body = body;
    this.sent = true;
  }

  abort() {
    this.aborted = true;
    this.done = true;
    this.onabort?.();
  }

  get fileName(): string {
    const file = this.body?.get("file");
    return file instanceof File ? file.name : "";
  }

  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ lengthComputable: true, loaded, total } as ProgressEvent);
  }

  respond(status: number, body: unknown) {
    this.status = status;
    this.done = true;
    this.responseText = typeof body === "string" ? body : JSON.stringify(body);
    this.onload?.();
  }

  fail() {
    this.done = true;
    this.onerror?.();
  }

  static install() {
    FakeXhr.instances = [];
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
  }

  /** Uploads that are sent and not finished. */
  static open(): FakeXhr[] {
    return FakeXhr.instances.filter((x) => x.sent && !x.done);
  }
}
