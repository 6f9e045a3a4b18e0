import { useOutletContext } from "react-router";
import type { Version } from "@/api/types";

export interface VersionContext {
  version: Version;
}

export function useVersionContext(): VersionContext {
  return useOutletContext<VersionContext>();
}

export const VERSION_TABS = [
  { value: "overview", label: "Overview" },
  { value: "viewer", label: "3D Viewer" },
  { value: "validation", label: "Validation" },
  { value: "statistics", label: "Statistics" },
  { value: "properties", label: "Properties" },
  { value: "scripts", label: "Scripts" },
  { value: "metadata", label: "Metadata" },
  { value: "history", label: "History" },
] as const;

export type VersionTab = (typeof VERSION_TABS)[number]["value"];

export const isVersionTab = (value: string | undefined): value is VersionTab =>
  VERSION_TABS.some((tab) => tab.value === value);
