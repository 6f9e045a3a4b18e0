import { IconChecklist, IconCode } from "@tabler/icons-react";
import { EmptyState } from "@/components/empty-state";

export function ValidationComingSoon() {
  return (
    <EmptyState
      icon={<IconChecklist />}
      title="Validation is coming soon"
      testId="validation-coming-soon"
    >
      Checks such as GUID validity, level of detail, IDS requirements and naming rules will run on
      each version and list their findings here, linked to the elements in the 3D viewer. No checks
      have run on this version yet.
    </EmptyState>
  );
}

export function ScriptsComingSoon() {
  return (
    <EmptyState icon={<IconCode />} title="Scripts are coming soon" testId="scripts-coming-soon">
      You will be able to run built-in and your own Python scripts on this version (checks, exports,
      statistics), follow their logs live and download their results here.
    </EmptyState>
  );
}
