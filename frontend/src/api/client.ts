// The one place that talks HTTP to the bimflow API (session auth + CSRF).

export type FieldErrors = Record<string, string[]>;

/** An HTTP error from the API, carrying the server's own words. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string | null;
  readonly fieldErrors: FieldErrors;

  constructor(status: number, message: string, detail: string | null, fieldErrors: FieldErrors) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.fieldErrors = fieldErrors;
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: "The server rejected the request.",
  401: "You are not signed in.",
  403: "You do not have permission to do this.",
  404: "Not found.",
  409: "This conflicts with something that already exists.",
  413: "The file is larger than the server accepts.",
  500: "The server had an internal error. Try again, or ask an operator to check the logs.",
  502: "The server is not reachable (bad gateway).",
  503: "The server is temporarily unavailable.",
};

function asMessages(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(asMessages);
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(asMessages);
  if (value === null || value === undefined) return [];
  return [String(value)];
}

/** Builds an ApiError from a status and a (possibly non-JSON) body. */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  let detail: string | null = null;
  const fieldErrors: FieldErrors = {};
  if (body && typeof body === "object" && !Array.isArray(body)) {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (key === "detail" && typeof value === "string") detail = value;
      else fieldErrors[key] = asMessages(value);
    }
  } else if (Array.isArray(body)) {
    fieldErrors.non_field_errors = asMessages(body);
  }
  const parts: string[] = [];
  if (detail) parts.push(detail);
  for (const [field, messages] of Object.entries(fieldErrors)) {
    // The file and non-field messages are full sentences already; prefix others.
    const prefix = field === "file" || field === "non_field_errors" ? "" : `${field}: `;
    for (const message of messages) parts.push(prefix + message);
  }
  const message =
    parts.join(" ") || FALLBACK_MESSAGES[status] || `The server answered with HTTP ${status}.`;
  return new ApiError(status, message, detail, fieldErrors);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function readCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

let csrfPromise: Promise<void> | null = null;

/** Makes sure the csrftoken cookie exists (GET /api/auth/csrf/ sets it). */
export async function ensureCsrf(force = false): Promise<string> {
  if (force || !readCookie("csrftoken")) {
    csrfPromise ??= fetch("/api/auth/csrf/", { credentials: "same-origin" }).then(() => {
      csrfPromise = null;
    });
    await csrfPromise;
  }
  return readCookie("csrftoken") ?? "";
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

const UNSAFE = new Set(["POST", "PATCH", "PUT", "DELETE"]);

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (UNSAFE.has(method)) headers["X-CSRFToken"] = await ensureCsrf();
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body,
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "Cannot reach the bimflow server. Check your connection.", null, {});
  }
  const data = await parseBody(response);
  if (!response.ok) throw apiErrorFrom(response.status, data);
  return data as T;
}

/** Accepts either a bare list or a DRF page and returns the items. */
export function unwrapList<T>(data: T[] | { results: T[] }): T[] {
  return Array.isArray(data) ? data : data.results;
}
