// Only the network is faked (fetch and XMLHttpRequest via @/testing/network);
// the queue, the API layer and error formatting are the real code.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { waitFor } from "@testing-library/react";
import { FakeXhr, mockFetch, type FetchMock } from "@/testing/network";
import { makeVersion } from "@/testing/fixtures";
import { canRetry, UploadQueue } from "./upload-queue";

const ifc = (name: string, size = 1000) => new File([new Uint8Array(size)], name);

let net: FetchMock;

beforeEach(() => {
  FakeXhr.install();
  net = mockFetch();
  document.cookie = "csrftoken=test-token";
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const byName = (queue: UploadQueue, name: string) =>
  queue.getSnapshot().find((item) => item.file.name === name)!;

describe("UploadQueue", () => {
  it("uploads at most two files at a time and starts the next when one finishes", async () => {
    const queue = new UploadQueue({ concurrency: 2, pollInterval: 10 });
    net.on("GET", /\/api\/versions\/\d+\/$/, { body: makeVersion({ status: "ready" }) });
    queue.add(1, [ifc("a.ifc"), ifc("b.IFC"), ifc("c.ifczip")]);

    await waitFor(() => expect(FakeXhr.open()).toHaveLength(2));
    expect(FakeXhr.open().map((x) => x.fileName)).toEqual(["a.ifc", "b.IFC"]);
    expect(byName(queue, "c.ifczip").state).toBe("queued");
    expect(FakeXhr.open()[0].url).toBe("/api/projects/1/versions/");
    expect(FakeXhr.open()[0].headers["X-CSRFToken"]).toBe("test-token");

    FakeXhr.open()[0].respond(201, makeVersion({ id: 21, status: "uploaded", progress: 0 }));
    await waitFor(() =>
      expect(FakeXhr.open().map((x) => x.fileName)).toEqual(["b.IFC", "c.ifczip"]),
    );
    queue.dispose();
  });

  it("reports per-file upload progress, then follows processing until ready", async () => {
    const statuses = [
      makeVersion({ id: 21, status: "processing", progress: 40 }),
      makeVersion({ id: 21, status: "ready", progress: 100 }),
    ];
    net.on("GET", "/api/versions/21/", () => ({
      body: statuses.shift() ?? makeVersion({ id: 21 }),
    }));
    const settled = vi.fn();
    const queue = new UploadQueue({ pollInterval: 10, onSettled: settled });
    const seen: string[] = [];
    queue.subscribe(() => {
      const house = queue.getSnapshot().find((i) => i.file.name === "house.ifc");
      const step = house ? `${house.state}:${Math.round(house.processingProgress)}` : "";
      if (step && seen.at(-1) !== step) seen.push(step);
    });
    queue.add(1, [ifc("house.ifc", 4000), ifc("shed.ifc", 10)]);
    await waitFor(() => expect(FakeXhr.open()).toHaveLength(2));
    const [house, shed] = FakeXhr.open();
    house.progress(1000, 4000);
    shed.progress(5, 10);
    expect(byName(queue, "house.ifc").uploadProgress).toBeCloseTo(0.25);
    expect(byName(queue, "shed.ifc").uploadProgress).toBeCloseTo(0.5);

    house.respond(201, makeVersion({ id: 21, status: "uploaded", progress: 0 }));
    await waitFor(() => expect(byName(queue, "house.ifc").state).toBe("ready"));
    expect(seen).toEqual(["queued:0", "uploading:0", "processing:0", "processing:40", "ready:100"]);
    expect(net.calls("/api/versions/21/", "GET")).toHaveLength(2);
    expect(settled).toHaveBeenCalledWith(expect.objectContaining({ state: "ready" }));
    expect(byName(queue, "shed.ifc").state).toBe("uploading");
    queue.dispose();
  });

  it("shows the server's own message for 409, 413 and 400 refusals", async () => {
    const queue = new UploadQueue({ concurrency: 3 });
    queue.add(1, [ifc("dup.ifc"), ifc("huge.ifc"), ifc("fake.ifc")]);
    await waitFor(() => expect(FakeXhr.open()).toHaveLength(3));
    const [dup, huge, fake] = FakeXhr.open();
    dup.respond(409, {
      detail: "This file is identical to version 3 of model X (uploaded 2025-01-02).",
    });
    huge.respond(413, { detail: "The file is larger than the 2048 MB limit." });
    fake.respond(400, {
      file: ["This is not an IFC file: it starts with 'version https://git-lfs'."],
    });
    await waitFor(() => expect(byName(queue, "fake.ifc").state).toBe("error"));

    expect(byName(queue, "dup.ifc")).toMatchObject({
      state: "error",
      errorStatus: 409,
      error: "This file is identical to version 3 of model X (uploaded 2025-01-02).",
    });
    expect(byName(queue, "huge.ifc")).toMatchObject({
      errorStatus: 413,
      error: "The file is larger than the 2048 MB limit.",
    });
    expect(byName(queue, "fake.ifc")).toMatchObject({
      errorStatus: 400,
      error: "This is not an IFC file: it starts with 'version https://git-lfs'.",
    });
  });

  it("explains a 413 from a proxy that answers without JSON", async () => {
    const queue = new UploadQueue();
    queue.add(1, [ifc("big.ifc")]);
    await waitFor(() => expect(FakeXhr.open()).toHaveLength(1));
    FakeXhr.open()[0].respond(413, "<html>413 Request Entity Too Large</html>");
    await waitFor(() => expect(byName(queue, "big.ifc").state).toBe("error"));
    expect(byName(queue, "big.ifc").error).toBe("The file is larger than the server accepts.");
  });

  it("refuses files that are not .ifc or .ifczip without sending them", () => {
    const queue = new UploadQueue();
    queue.add(1, [ifc("notes.pdf")]);
    expect(FakeXhr.instances).toHaveLength(0);
    expect(byName(queue, "notes.pdf")).toMatchObject({ state: "error" });
    expect(byName(queue, "notes.pdf").error).toMatch(/only \.ifc and \.ifczip/);
  });

  it("retries a failed upload and dismisses an item (aborting it)", async () => {
    const queue = new UploadQueue({ pollInterval: 10 });
    net.on("GET", "/api/versions/30/", { body: makeVersion({ id: 30, status: "ready" }) });
    queue.add(1, [ifc("flaky.ifc"), ifc("other.ifc")]);
    await waitFor(() => expect(FakeXhr.open()).toHaveLength(2));
    FakeXhr.open()[0].fail();
    await waitFor(() => expect(byName(queue, "flaky.ifc").state).toBe("error"));
    expect(byName(queue, "flaky.ifc").error).toMatch(/could not be reached/);

    queue.retry(byName(queue, "flaky.ifc").id);
    expect(byName(queue, "flaky.ifc").state).toBe("uploading");
    await waitFor(() => expect(FakeXhr.open().map((x) => x.fileName)).toContain("flaky.ifc"));
    FakeXhr.open()
      .find((x) => x.fileName === "flaky.ifc")!
      .respond(201, makeVersion({ id: 30, status: "uploaded" }));
    await waitFor(() => expect(byName(queue, "flaky.ifc").state).toBe("ready"));

    const other = FakeXhr.open().find((x) => x.fileName === "other.ifc")!;
    queue.dismiss(byName(queue, "other.ifc").id);
    expect(other.aborted).toBe(true);
    expect(queue.getSnapshot().map((i) => i.file.name)).toEqual(["flaky.ifc"]);
  });

  it("reports a failed ingest with the version's reason", async () => {
    const queue = new UploadQueue({ pollInterval: 10 });
    net.on("GET", "/api/versions/40/", {
      body: makeVersion({
        id: 40,
        status: "failed",
        progress: 30,
        error: "The file ends in the middle of an entity (line 5120).",
      }),
    });
    queue.add(1, [ifc("broken.ifc")]);
    await waitFor(() => expect(FakeXhr.open()).toHaveLength(1));
    FakeXhr.open()[0].respond(201, makeVersion({ id: 40, status: "uploaded" }));
    await waitFor(() => expect(byName(queue, "broken.ifc").state).toBe("failed"));
    expect(byName(queue, "broken.ifc").error).toBe(
      "The file ends in the middle of an entity (line 5120).",
    );
  });

  it("sends a file as the next version of a chosen model, whatever its name", async () => {
    const queue = new UploadQueue();
    queue.add(1, [ifc("house-2025-03.ifc")], { model: "House" });
    queue.add(1, [ifc("shed.ifc")]);
    await waitFor(() => expect(FakeXhr.open()).toHaveLength(2));
    const [house, shed] = FakeXhr.open();
    expect(house.body?.get("model")).toBe("House");
    // Without a model the server names it after the file.
    expect(shed.body?.has("model")).toBe(false);
    queue.dispose();
  });

  it("offers a retry only where sending again can help", async () => {
    const queue = new UploadQueue({ concurrency: 4, pollInterval: 10 });
    net.on("GET", "/api/versions/50/", { body: makeVersion({ id: 50, status: "failed" }) });
    queue.add(1, [ifc("dup.ifc"), ifc("lost.ifc"), ifc("crash.ifc"), ifc("ingest.ifc")]);
    queue.add(1, [ifc("notes.txt")]);
    await waitFor(() => expect(FakeXhr.open()).toHaveLength(4));
    const [dup, lost, crash, ingest] = FakeXhr.open();
    dup.respond(409, { detail: "This file is identical to version 1." });
    lost.fail();
    crash.respond(500, { detail: "The server hit an internal error." });
    ingest.respond(201, makeVersion({ id: 50, status: "uploaded" }));
    await waitFor(() => expect(byName(queue, "ingest.ifc").state).toBe("failed"));
    await waitFor(() => expect(byName(queue, "crash.ifc").state).toBe("error"));
    const retryable = queue
      .getSnapshot()
      .filter(canRetry)
      .map((i) => i.file.name);
    expect(retryable.sort()).toEqual(["crash.ifc", "ingest.ifc", "lost.ifc"]);

    // A refused duplicate is not sent again, even if asked.
    const sent = FakeXhr.instances.length;
    queue.retry(byName(queue, "dup.ifc").id);
    expect(byName(queue, "dup.ifc").state).toBe("error");
    expect(FakeXhr.instances).toHaveLength(sent);
    queue.dispose();
  });
});
