import { ApiError, errorMessage } from "@/api/client";
import type { Version } from "@/api/types";
import { uploadVersion } from "@/api/upload";
import { getVersion } from "@/api/versions";

export type UploadState =
  | "queued" // waiting for a free upload slot
  | "uploading" // bytes going to the server
  | "processing" // uploaded; the server is ingesting it
  | "ready" // ingested
  | "failed" // ingest failed (version.error says why)
  | "error"; // the upload itself was refused or interrupted

export interface UploadItem {
  id: string;
  projectId: number;
  file: File;
  /** The model this file becomes a new version of; by default the file name's stem. */
  model?: string;
  state: UploadState;
  /** 0..1 share of bytes sent. */
  uploadProgress: number;
  /** 0..100 from the version while processing. */
  processingProgress: number;
  error: string | null;
  /** HTTP status of a refused upload (409 duplicate, 413 too large, ...). */
  errorStatus: number | null;
  version: Version | null;
}

export interface UploadQueueOptions {
  /** Uploads running at the same time (others wait in the queue). */
  concurrency?: number;
  /** How often to poll a version while it is processing, in ms. */
  pollInterval?: number;
  /** Called when an item reaches ready, failed or error. */
  onSettled?: (item: UploadItem) => void;
  /** Called when an upload has been accepted (a new version exists). */
  onUploaded?: (item: UploadItem) => void;
}

const IFC_NAME = /\.(ifc|ifczip)$/i;
const MAX_POLL_ERRORS = 10;

export function isIfcFileName(name: string): boolean {
  return IFC_NAME.test(name);
}

/**
 * Whether sending the file again can help: after a lost connection, a server error or
 * a failed ingest (perhaps a worker that went away), not after the server refused the
 * file itself (a duplicate, too large, not IFC, no permission).
 */
export function canRetry(item: Pick<UploadItem, "state" | "errorStatus" | "file">): boolean {
  if (item.state === "failed") return true;
  if (item.state !== "error" || !isIfcFileName(item.file.name)) return false;
  return item.errorStatus === null || item.errorStatus === 0 || item.errorStatus >= 500;
}

let counter = 0;

/**
 * Uploads files a few at a time with per-file progress, then follows each new
 * version until the server has processed it. Framework-free so it survives
 * navigation and is easy to test; React reads it with useSyncExternalStore.
 */
export class UploadQueue {
  private items: UploadItem[] = [];
  private listeners = new Set<() => void>();
  private controllers = new Map<string, AbortController>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly concurrency: number;
  private readonly pollInterval: number;

  constructor(private readonly options: UploadQueueOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    this.pollInterval = options.pollInterval ?? 1000;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): UploadItem[] => this.items;

  /**
   * Adds files for a project; files that are not .ifc/.ifczip are refused at once.
   * With `model`, each file becomes the next version of that model whatever its name.
   */
  add(projectId: number, files: File[], options: { model?: string } = {}): UploadItem[] {
    const added = files.map<UploadItem>((file) => {
      counter += 1;
      const valid = isIfcFileName(file.name);
      return {
        id: `upload-${Date.now()}-${counter}`,
        projectId,
        file,
        model: options.model,
        state: valid ? "queued" : "error",
        uploadProgress: 0,
        processingProgress: 0,
        error: valid
          ? null
          : `“${file.name}” is not an IFC file: only .ifc and .ifczip files can be uploaded.`,
        errorStatus: null,
        version: null,
      };
    });
    this.items = [...this.items, ...added];
    this.emit();
    this.pump();
    return added;
  }

  retry(id: string): void {
    const item = this.find(id);
    if (!item || !canRetry(item)) return;
    this.update(id, {
      state: "queued",
      uploadProgress: 0,
      processingProgress: 0,
      error: null,
      errorStatus: null,
      version: null,
    });
    this.pump();
  }

  /** Removes an item; an upload in flight is aborted, polling stops. */
  dismiss(id: string): void {
    this.controllers.get(id)?.abort();
    this.controllers.delete(id);
    this.stopPolling(id);
    this.items = this.items.filter((item) => item.id !== id);
    this.emit();
    this.pump();
  }

  /** Removes every finished item (ready) of a project. */
  clearFinished(projectId: number): void {
    this.items = this.items.filter((i) => !(i.projectId === projectId && i.state === "ready"));
    this.emit();
  }

  dispose(): void {
    for (const controller of this.controllers.values()) controller.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.controllers.clear();
    this.timers.clear();
  }

  private find(id: string): UploadItem | undefined {
    return this.items.find((item) => item.id === id);
  }

  private update(id: string, patch: Partial<UploadItem>): UploadItem | undefined {
    let updated: UploadItem | undefined;
    this.items = this.items.map((item) => {
      if (item.id !== id) return item;
      updated = { ...item, ...patch };
      return updated;
    });
    if (updated) this.emit();
    return updated;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private pump(): void {
    const active = this.items.filter((item) => item.state === "uploading").length;
    const free = this.concurrency - active;
    if (free <= 0) return;
    const next = this.items.filter((item) => item.state === "queued").slice(0, free);
    for (const item of next) void this.start(item.id);
  }

  private async start(id: string): Promise<void> {
    const item = this.update(id, { state: "uploading", uploadProgress: 0 });
    if (!item) return;
    const controller = new AbortController();
    this.controllers.set(id, controller);
    try {
      const version = await uploadVersion(item.projectId, item.file, {
        model: item.model,
        signal: controller.signal,
        onProgress: (loaded, total) =>
          this.update(id, { uploadProgress: total > 0 ? loaded / total : 0 }),
      });
      this.controllers.delete(id);
      const uploaded = this.update(id, {
        uploadProgress: 1,
        version,
        processingProgress: version.progress ?? 0,
        state: "processing",
      });
      if (uploaded) this.options.onUploaded?.(uploaded);
      this.afterVersion(id, version);
    } catch (error) {
      this.controllers.delete(id);
      if (error instanceof DOMException && error.name === "AbortError") return;
      const settled = this.update(id, {
        state: "error",
        error: errorMessage(error),
        errorStatus: error instanceof ApiError ? error.status : null,
      });
      if (settled) this.options.onSettled?.(settled);
    } finally {
      this.pump();
    }
  }

  private afterVersion(id: string, version: Version, pollErrors = 0): void {
    if (version.status === "ready" || version.status === "failed") {
      const settled = this.update(id, {
        version,
        state: version.status,
        processingProgress: version.status === "ready" ? 100 : version.progress,
        error: version.status === "failed" ? version.error || "Processing failed." : null,
      });
      if (settled) this.options.onSettled?.(settled);
      return;
    }
    this.update(id, { version, processingProgress: version.progress ?? 0 });
    this.schedulePoll(id, version.id, pollErrors);
  }

  private schedulePoll(id: string, versionId: number, pollErrors: number): void {
    this.stopPolling(id);
    const timer = setTimeout(
      async () => {
        this.timers.delete(id);
        if (!this.find(id)) return;
        try {
          const version = await getVersion(versionId);
          if (this.find(id)) this.afterVersion(id, version);
        } catch (error) {
          if (!this.find(id)) return;
          if (pollErrors + 1 >= MAX_POLL_ERRORS) {
            const settled = this.update(id, {
              state: "error",
              error: `Lost track of the processing: ${errorMessage(error)}`,
              errorStatus: error instanceof ApiError ? error.status : null,
            });
            if (settled) this.options.onSettled?.(settled);
            return;
          }
          this.schedulePoll(id, versionId, pollErrors + 1);
        }
      },
      this.pollInterval * (pollErrors > 0 ? 2 : 1),
    );
    this.timers.set(id, timer);
  }

  private stopPolling(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }
}
