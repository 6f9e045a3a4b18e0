import { useComputedColorScheme, useMantineColorScheme } from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import { IconMoon, IconSun } from "@tabler/icons-react";
import { IconButton } from "@/components/icon-button";

export function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme("light", { getInitialValueInEffect: true });
  const toggle = () => setColorScheme(computed === "dark" ? "light" : "dark");
  useHotkeys([["mod+J", toggle]]);
  return (
    <IconButton
      label={`Switch to ${computed === "dark" ? "light" : "dark"} theme (Ctrl+J)`}
      onClick={toggle}
      size="lg"
      data-testid="theme-toggle"
    >
      {computed === "dark" ? <IconSun size={18} /> : <IconMoon size={18} />}
    </IconButton>
  );
}
