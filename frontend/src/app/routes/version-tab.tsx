import { lazy, Suspense } from "react";
import { Navigate, useParams } from "react-router";
import { SkeletonLines } from "@/components/query-state";
import { isVersionTab } from "@/features/versions/version-context";

const OverviewTab = lazy(() =>
  import("@/features/overview/overview-tab").then((m) => ({ default: m.OverviewTab })),
);
const ViewerTab = lazy(() => import("@/features/viewer/viewer-tab"));
const StatisticsTab = lazy(() => import("@/features/statistics/statistics-tab"));
const PropertiesTab = lazy(() => import("@/features/properties/properties-tab"));
const MetadataTab = lazy(() => import("@/features/metadata/metadata-tab"));
const ScriptsTab = lazy(() => import("@/features/scripts/scripts-tab"));
const ValidationTab = lazy(() => import("@/features/validation/validation-tab"));
const HistoryTab = lazy(() => import("@/features/history/history-tab"));

export function VersionTabRoute() {
  const { tab } = useParams();
  if (!isVersionTab(tab)) return <Navigate to="../overview" relative="path" replace />;
  let content;
  switch (tab) {
    case "overview":
      content = <OverviewTab />;
      break;
    case "viewer":
      content = <ViewerTab />;
      break;
    case "validation":
      content = <ValidationTab />;
      break;
    case "statistics":
      content = <StatisticsTab />;
      break;
    case "properties":
      content = <PropertiesTab />;
      break;
    case "scripts":
      content = <ScriptsTab />;
      break;
    case "metadata":
      content = <MetadataTab />;
      break;
    case "history":
      content = <HistoryTab />;
      break;
  }
  return <Suspense fallback={<SkeletonLines lines={8} />}>{content}</Suspense>;
}
