import { Container } from "@mantine/core";
import { useDocumentTitle } from "@mantine/hooks";
import { ProjectsList } from "@/features/projects/projects-list";

export function ProjectsRoute() {
  useDocumentTitle("Projects · bimflow");
  return (
    <Container size="xl" py="lg">
      <ProjectsList />
    </Container>
  );
}
