import { Select } from "@mantine/core";
import { IconFolder } from "@tabler/icons-react";
import { useNavigate } from "react-router";
import { useProjects } from "@/api/projects";
import { useCurrentProjectId } from "./current-project";

export function ProjectSwitcher() {
  const projects = useProjects();
  const navigate = useNavigate();
  const current = useCurrentProjectId();
  if (!projects.data?.length) return null;
  return (
    <Select
      aria-label="Switch project"
      placeholder="Go to project…"
      data-testid="project-switcher"
      searchable
      size="sm"
      w={{ base: 160, sm: 240 }}
      leftSection={<IconFolder size={16} />}
      data={projects.data.map((p) => ({ value: String(p.id), label: p.name }))}
      value={current ? String(current) : null}
      onChange={(value) => value && navigate(`/projects/${value}/models`)}
      nothingFoundMessage="No project matches"
      comboboxProps={{ withinPortal: true }}
    />
  );
}
