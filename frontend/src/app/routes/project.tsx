import {
  Anchor,
  Breadcrumbs,
  Container,
  Group,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { useDocumentTitle } from "@mantine/hooks";
import { IconActivity, IconBox, IconRobot, IconStack2, IconUsers } from "@tabler/icons-react";
import { Link, Navigate, useNavigate, useParams } from "react-router";
import { useProject } from "@/api/projects";
import { ActivityFeed } from "@/features/automation/activity-feed";
import { BatchesPanel } from "@/features/automation/batches-panel";
import { WorkflowsPanel } from "@/features/automation/workflows-panel";
import { LoadError } from "@/components/query-state";
import { MembersPanel } from "@/features/members/members-panel";
import { ModelsTable } from "@/features/models/models-table";
import { ProjectSettingsMenu } from "@/features/projects/project-settings-menu";
import { RoleBadge } from "@/features/projects/role-badge";
import { UploadPanel } from "@/features/upload/upload-panel";
import { useNumericParam } from "@/lib/use-numeric-param";

const TABS = ["models", "workflows", "batches", "members", "activity"] as const;
type ProjectTab = (typeof TABS)[number];

export function ProjectRoute() {
  const projectId = useNumericParam("projectId");
  const { tab } = useParams();
  const navigate = useNavigate();
  const project = useProject(projectId);
  useDocumentTitle(project.data ? `${project.data.name} · bimflow` : "Project · bimflow");

  if (tab && !TABS.includes(tab as ProjectTab))
    return <Navigate to="../models" relative="path" replace />;
  const current = (tab as ProjectTab) ?? "models";

  return (
    <Container size="xl" py="lg">
      <Stack gap="md">
        <Breadcrumbs>
          <Anchor component={Link} to="/projects" size="sm">
            Projects
          </Anchor>
          <Text size="sm">{project.data?.name ?? "…"}</Text>
        </Breadcrumbs>
        {project.isPending && <Skeleton height={48} w="50%" />}
        {project.isError && (
          <LoadError error={project.error} what="this project" onRetry={() => project.refetch()} />
        )}
        {project.data && (
          <>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <div>
                <Group gap="sm">
                  <Title order={1} size="h2" data-testid="project-name">
                    {project.data.name}
                  </Title>
                  <RoleBadge role={project.data.role} />
                </Group>
                {project.data.description && (
                  <Text c="dimmed" size="sm" mt={4}>
                    {project.data.description}
                  </Text>
                )}
              </div>
              {project.data.role === "admin" && <ProjectSettingsMenu project={project.data} />}
            </Group>
            <Tabs
              value={current}
              onChange={(value) => value && navigate(`/projects/${projectId}/${value}`)}
              keepMounted={false}
            >
              <Tabs.List>
                <Tabs.Tab value="models" leftSection={<IconBox size={16} />}>
                  Models
                </Tabs.Tab>
                <Tabs.Tab
                  value="workflows"
                  leftSection={<IconRobot size={16} />}
                  data-testid="tab-workflows"
                >
                  Workflows
                </Tabs.Tab>
                <Tabs.Tab
                  value="batches"
                  leftSection={<IconStack2 size={16} />}
                  data-testid="tab-batches"
                >
                  Batches
                </Tabs.Tab>
                <Tabs.Tab value="members" leftSection={<IconUsers size={16} />}>
                  Members
                </Tabs.Tab>
                <Tabs.Tab value="activity" leftSection={<IconActivity size={16} />}>
                  Activity
                </Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="models" pt="md">
                <Stack gap="lg">
                  <UploadPanel projectId={projectId} canUpload={project.data.role !== "viewer"} />
                  <ModelsTable projectId={projectId} canUpload={project.data.role !== "viewer"} />
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="members" pt="md">
                <MembersPanel projectId={projectId} role={project.data.role ?? "viewer"} />
              </Tabs.Panel>
              <Tabs.Panel value="workflows" pt="md">
                <WorkflowsPanel projectId={projectId} canEdit={project.data.role !== "viewer"} />
              </Tabs.Panel>
              <Tabs.Panel value="batches" pt="md">
                <BatchesPanel projectId={projectId} canEdit={project.data.role !== "viewer"} />
              </Tabs.Panel>
              <Tabs.Panel value="activity" pt="md">
                <ActivityFeed projectId={projectId} />
              </Tabs.Panel>
            </Tabs>
          </>
        )}
      </Stack>
    </Container>
  );
}
