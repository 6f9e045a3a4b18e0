import { apiErrorFrom, ApiError, ensureCsrf } from "./client";
import type { Version } from "./types";

export interface UploadOptions {
  model?: string;
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * POST /api/projects/{id}/versions/ as multipart with XMLHttpRequest, because
 * fetch() has no upload progress events.
 */
export async function uploadVersion(
  projectId: number,
  file: File,
  options: UploadOptions = {},
): Promise<Version> {
  const token = await ensureCsrf();
  return new Promise<Version>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/projects/${projectId}/versions/`);
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded, event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as Version);
      else reject(apiErrorFrom(xhr.status, body));
    };
    xhr.onerror = () =>
      reject(
        new ApiError(0, "The upload was interrupted: the server could not be reached.", null, {}),
      );
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    if (options.signal) {
      if (options.signal.aborted) {
        reject(new DOMException("Upload cancelled", "AbortError"));
        return;
      }
      options.signal.addEventListener("abort", () => xhr.abort(), { once: true });
    }
    const form = new FormData();
    form.append("file", file, file.name);
    if (options.model) form.append("model", options.model);
    xhr.send(form);
  });
}
