// fetch is the network boundary and the only thing faked here.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mockFetch, type FetchMock } from "@/testing/network";
import { ApiError, apiErrorFrom, apiRequest } from "./client";

describe("apiErrorFrom", () => {
  it("uses the server's words: detail, file errors as written, other fields prefixed", () => {
    expect(apiErrorFrom(409, { detail: "This file is identical to version 3." }).message).toBe(
      "This file is identical to version 3.",
    );
    const error = apiErrorFrom(400, {
      name: ["This field may not be blank."],
      file: ["Empty file."],
    });
    expect(error.message).toBe("name: This field may not be blank. Empty file.");
    expect(error.fieldErrors.name).toEqual(["This field may not be blank."]);
  });

  it("falls back to a readable sentence when the body is not DRF JSON", () => {
    expect(apiErrorFrom(502, "<html>Bad gateway</html>").message).toMatch(/not reachable/);
    expect(apiErrorFrom(418, null).message).toBe("The server answered with HTTP 418.");
  });
});

describe("apiRequest", () => {
  let net: FetchMock;
  beforeEach(() => {
    net = mockFetch();
  });
  afterEach(() => vi.unstubAllGlobals());

  it("fetches the CSRF cookie once and sends it on unsafe requests", async () => {
    net.on("POST", "/api/projects/", { status: 201, body: { id: 1 } });
    await apiRequest("/api/projects/", { method: "POST", body: { name: "A" } });
    await apiRequest("/api/projects/", { method: "POST", body: { name: "B" } });
    expect(net.calls("/api/auth/csrf/")).toHaveLength(1);
    const posts = net.calls("/api/projects/", "POST");
    expect(posts.map((p) => p.headers["X-CSRFToken"])).toEqual(["test-token", "test-token"]);
    expect(posts[1].body).toEqual({ name: "B" });
  });

  it("throws ApiError with the status and detail", async () => {
    net.on("DELETE", "/api/versions/3/", {
      status: 403,
      body: { detail: "Only project admins may delete versions." },
    });
    const error = await apiRequest("/api/versions/3/", { method: "DELETE" }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 403,
      message: "Only project admins may delete versions.",
    });
  });
});
