// Only the network is faked (fetch and XMLHttpRequest); the panel, queue and
// providers are the real ones.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FakeXhr, mockFetch } from "@/testing/network";
import { makeVersion } from "@/testing/fixtures";
import { renderWithApp } from "@/testing/render";
import { UploadPanel } from "./upload-panel";

beforeEach(() => {
  FakeXhr.install();
  mockFetch().on("GET", "/api/versions/50/", {
    body: makeVersion({ id: 50, status: "ready", number: 4 }),
  });
  document.cookie = "csrftoken=test-token";
});
afterEach(() => vi.unstubAllGlobals());

describe("UploadPanel", () => {
  it("shows one row per file with its progress, status and server errors, and retries", async () => {
    renderWithApp(<UploadPanel projectId={1} canUpload />, { uploadOptions: { pollInterval: 10 } });
    const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
    const files = [
      new File(["x"], "Haus.ifc"),
      new File(["x"], "Copy.ifc"),
      new File(["x"], "readme.txt"),
      new File(["x"], "Lost.ifc"),
    ];
    await userEvent.upload(input, files, { applyAccept: false });

    const rows = await screen.findAllByTestId("upload-row");
    expect(rows.map((r) => r.dataset.fileName)).toEqual([
      "Haus.ifc",
      "Copy.ifc",
      "readme.txt",
      "Lost.ifc",
    ]);
    expect(rows[2]).toHaveAttribute("data-state", "error");
    expect(within(rows[2]).getByTestId("upload-error")).toHaveTextContent("only .ifc and .ifczip");

    await waitFor(() => expect(FakeXhr.open()).toHaveLength(2));
    const [haus, copy] = FakeXhr.open();
    haus.progress(30, 100);
    await waitFor(() =>
      expect(
        within(screen.getAllByTestId("upload-row")[0]).getByTestId("upload-status"),
      ).toHaveTextContent("Uploading… 30%"),
    );
    copy.respond(409, {
      detail: "This file is identical to version 3 of model Haus (uploaded 2 Jan 2025).",
    });
    await waitFor(() =>
      expect(screen.getAllByTestId("upload-row")[1]).toHaveAttribute("data-state", "error"),
    );
    expect(
      within(screen.getAllByTestId("upload-row")[1]).getByTestId("upload-error"),
    ).toHaveTextContent("This file is identical to version 3 of model Haus (uploaded 2 Jan 2025).");

    haus.respond(201, makeVersion({ id: 50, status: "uploaded", number: 4 }));
    await waitFor(() =>
      expect(screen.getAllByTestId("upload-row")[0]).toHaveAttribute("data-state", "ready"),
    );
    expect(screen.getAllByTestId("upload-row")[0]).toHaveTextContent("version 4");

    // Sending a refused duplicate again cannot help: no retry; a lost connection can.
    expect(
      within(screen.getAllByTestId("upload-row")[1]).queryByTestId("upload-retry"),
    ).not.toBeInTheDocument();
    await waitFor(() => expect(FakeXhr.open().map((x) => x.fileName)).toEqual(["Lost.ifc"]));
    FakeXhr.open()[0].fail();
    const lost = () => screen.getAllByTestId("upload-row")[3];
    await waitFor(() => expect(lost()).toHaveAttribute("data-state", "error"));
    expect(within(lost()).getByTestId("upload-error")).toHaveTextContent("could not be reached");
    fireEvent.click(within(lost()).getByTestId("upload-retry"));
    await waitFor(() => expect(FakeXhr.open().map((x) => x.fileName)).toEqual(["Lost.ifc"]));
    expect(lost()).toHaveAttribute("data-state", "uploading");
  });

  it("tells viewers they cannot upload", () => {
    renderWithApp(<UploadPanel projectId={1} canUpload={false} />);
    expect(screen.getByTestId("upload-not-allowed")).toHaveTextContent("coordinator role");
    expect(screen.queryByTestId("upload-dropzone")).not.toBeInTheDocument();
  });
});
