import { useMatch } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { queryKeys } from "@/api/query-keys";
import { getVersion } from "@/api/versions";

/** The project in view: from /projects/:id or from the version at /versions/:id. */
export function useCurrentProjectId(): number | null {
  const projectMatch = useMatch("/projects/:projectId/*");
  const versionMatch = useMatch("/versions/:versionId/*");
  const versionId = Number(versionMatch?.params.versionId);
  const version = useQuery({
    queryKey: queryKeys.version(versionId),
    queryFn: () => getVersion(versionId),
    enabled: Number.isFinite(versionId) && versionId > 0,
  });
  if (projectMatch) return Number(projectMatch.params.projectId) || null;
  return version.data?.project ?? null;
}
