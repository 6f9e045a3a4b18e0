import { useMemo, useState } from "react";
import {
  Button,
  Card,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconFolderPlus, IconPlus, IconSearch } from "@tabler/icons-react";
import { Link, useNavigate } from "react-router";
import { useProjects } from "@/api/projects";
import { EmptyState } from "@/components/empty-state";
import { LoadError } from "@/components/query-state";
import { formatRelative } from "@/lib/format";
import { CreateProjectModal } from "./create-project-modal";
import { RoleBadge } from "./role-badge";

export function ProjectsList() {
  const projects = useProjects();
  const [opened, { open, close }] = useDisclosure(false);
  const [filter, setFilter] = useState("");
  const navigate = useNavigate();

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const list = projects.data ?? [];
    return needle
      ? list.filter((p) => `${p.name} ${p.description}`.toLowerCase().includes(needle))
      : list;
  }, [projects.data, filter]);

  const hasProjects = (projects.data?.length ?? 0) > 0;

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Projects
          </Title>
          <Text c="dimmed" size="sm">
            Each project holds building models and the people who work on them.
          </Text>
        </div>
        <Group>
          {hasProjects && (
            <TextInput
              aria-label="Filter projects"
              placeholder="Filter projects"
              leftSection={<IconSearch size={16} />}
              value={filter}
              onChange={(event) => setFilter(event.currentTarget.value)}
            />
          )}
          <Button leftSection={<IconPlus size={16} />} onClick={open} data-testid="new-project">
            New project
          </Button>
        </Group>
      </Group>

      {projects.isPending && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {Array.from({ length: 6 }, (_, i) => (
            <Skeleton key={i} height={120} radius="md" />
          ))}
        </SimpleGrid>
      )}
      {projects.isError && (
        <LoadError error={projects.error} what="projects" onRetry={() => projects.refetch()} />
      )}
      {projects.isSuccess && !hasProjects && (
        <EmptyState
          icon={<IconFolderPlus />}
          title="No projects yet"
          testId="projects-empty"
          action={
            <Button leftSection={<IconPlus size={16} />} onClick={open}>
              Create your first project
            </Button>
          }
        >
          Create a project, then upload IFC models into it. You will only see projects you are a
          member of.
        </EmptyState>
      )}
      {hasProjects && shown.length === 0 && (
        <Text c="dimmed" ta="center" py="xl">
          No project matches “{filter}”.
        </Text>
      )}
      {shown.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} data-testid="projects-list">
          {shown.map((project) => (
            <Card
              key={project.id}
              withBorder
              padding="lg"
              component={Link}
              to={`/projects/${project.id}/models`}
              data-testid="project-card"
              data-project-id={project.id}
              aria-label={`Open project ${project.name}`}
              style={{ textDecoration: "none" }}
            >
              <Group justify="space-between" wrap="nowrap" mb={6}>
                <Text fw={600} truncate>
                  {project.name}
                </Text>
                <RoleBadge role={project.role} />
              </Group>
              <Text size="sm" c="dimmed" lineClamp={2} mih={40}>
                {project.description || "No description"}
              </Text>
              <Text size="xs" c="dimmed" mt="sm">
                Created {formatRelative(project.created_at)}
              </Text>
            </Card>
          ))}
        </SimpleGrid>
      )}
      <CreateProjectModal
        opened={opened}
        onClose={close}
        onCreated={(project) => navigate(`/projects/${project.id}/models`)}
      />
    </Stack>
  );
}
