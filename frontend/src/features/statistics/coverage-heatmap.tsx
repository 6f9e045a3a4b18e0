import { Box, ScrollArea, Text, Tooltip } from "@mantine/core";
import type { Statistics } from "@/api/types";
import { formatPercent } from "@/lib/format";
import { coverageMatrix } from "./stats-utils";

function cellColor(share: number | undefined): string {
  if (share === undefined) return "transparent";
  // Blue with opacity by share; readable in light and dark themes.
  return `rgba(34, 139, 230, ${0.12 + 0.88 * share})`;
}

export function CoverageHeatmap({ stats }: { stats: Statistics }) {
  const matrix = coverageMatrix(stats);
  if (matrix.psets.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="coverage-heatmap" data-empty="true">
        No property sets in this model, so there is no coverage to show.
      </Text>
    );
  }
  return (
    <Box data-testid="coverage-heatmap" role="figure" aria-label="Property set coverage by class">
      <ScrollArea type="auto" mah={560}>
        <table
          style={{ borderCollapse: "separate", borderSpacing: 2, fontSize: 12 }}
          aria-label="Share of elements of each class that carry each property set"
        >
          <thead>
            <tr>
              <th
                style={{ position: "sticky", left: 0, background: "var(--mantine-color-body)" }}
              />
              {matrix.psets.map((pset) => (
                <th
                  key={pset.name}
                  scope="col"
                  style={{ verticalAlign: "bottom", height: 130, minWidth: 34 }}
                >
                  <div
                    title={pset.name}
                    style={{
                      writingMode: "vertical-rl",
                      transform: "rotate(180deg)",
                      whiteSpace: "nowrap",
                      maxHeight: 126,
                      overflow: "hidden",
                      textOverflow: "ellipsis",
                      fontWeight: 500,
                      margin: "0 auto",
                    }}
                  >
                    {pset.name}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.classes.map((cls) => (
              <tr key={cls.name} data-testid="coverage-row" data-ifc-class={cls.name}>
                <th
                  scope="row"
                  style={{
                    textAlign: "left",
                    fontWeight: 500,
                    paddingRight: 8,
                    whiteSpace: "nowrap",
                    position: "sticky",
                    left: 0,
                    background: "var(--mantine-color-body)",
                  }}
                >
                  {cls.name}
                </th>
                {matrix.psets.map((pset) => {
                  const share = matrix.share(cls.name, pset.name);
                  return (
                    <Tooltip
                      key={pset.name}
                      label={`${cls.name} · ${pset.name}: ${share === undefined ? "none" : formatPercent(share, 1)}`}
                      openDelay={150}
                    >
                      <td
                        data-pset={pset.name}
                        data-share={share ?? 0}
                        aria-label={`${cls.name}, ${pset.name}: ${share === undefined ? "none" : formatPercent(share)}`}
                        style={{
                          background: cellColor(share),
                          border:
                            share === undefined
                              ? "1px dashed var(--mantine-color-default-border)"
                              : undefined,
                          width: 34,
                          height: 24,
                          textAlign: "center",
                          color: share !== undefined && share > 0.55 ? "white" : undefined,
                          borderRadius: 3,
                        }}
                      >
                        {share === undefined ? "" : Math.round(share * 100)}
                      </td>
                    </Tooltip>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollArea>
      <Text size="xs" c="dimmed" mt="xs">
        Each cell: % of the class&apos;s elements that carry the property set (own or from their
        type). Empty dashed cell: none.
        {(matrix.hiddenClasses > 0 || matrix.hiddenPsets > 0) &&
          ` Showing the ${matrix.classes.length} largest classes and ${matrix.psets.length} most used property sets (${matrix.hiddenClasses} classes and ${matrix.hiddenPsets} sets not shown).`}
      </Text>
    </Box>
  );
}
