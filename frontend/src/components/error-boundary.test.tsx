import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import { useState } from "react";
import { ErrorBoundary } from "./error-boundary";

function Bomb({ explode }: { explode: boolean }) {
  if (explode) throw new Error("Cannot read properties of undefined (reading 'psets')");
  return <p>All good</p>;
}

function Harness() {
  const [explode, setExplode] = useState(true);
  return (
    <>
      <button onClick={() => setExplode(false)}>fix</button>
      <ErrorBoundary>
        <Bomb explode={explode} />
      </ErrorBoundary>
      <p>Outside the boundary</p>
    </>
  );
}

afterEach(() => vi.restoreAllMocks());

describe("ErrorBoundary", () => {
  it("shows what went wrong, keeps the rest of the page, and recovers on retry", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    render(
      <MantineProvider env="test">
        <Harness />
      </MantineProvider>,
    );
    const alert = screen.getByTestId("error-boundary");
    expect(alert).toHaveTextContent("reading 'psets'");
    expect(screen.getByText("Outside the boundary")).toBeInTheDocument();
    fireEvent.click(screen.getByText("fix"));
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(screen.getByText("All good")).toBeInTheDocument();
    expect(screen.queryByTestId("error-boundary")).not.toBeInTheDocument();
  });

  it("clears the error when the reset key changes (navigation)", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { rerender } = render(
      <MantineProvider env="test">
        <ErrorBoundary resetKey="/a">
          <Bomb explode />
        </ErrorBoundary>
      </MantineProvider>,
    );
    expect(screen.getByTestId("error-boundary")).toBeInTheDocument();
    rerender(
      <MantineProvider env="test">
        <ErrorBoundary resetKey="/b">
          <Bomb explode={false} />
        </ErrorBoundary>
      </MantineProvider>,
    );
    expect(screen.getByText("All good")).toBeInTheDocument();
  });
});
