import { forwardRef, type ReactNode } from "react";
import { ActionIcon, Tooltip, type ActionIconProps } from "@mantine/core";
import { Link } from "react-router";

type IconButtonProps = ActionIconProps & {
  label: string;
  children: ReactNode;
  onClick?: () => void;
  /** Renders a router link instead of a button. */
  to?: string;
  /** Renders a plain link (downloads, API URLs). */
  href?: string;
  download?: boolean;
  "data-testid"?: string;
};

/** An icon-only button that always has a tooltip and an accessible name. */
export const IconButton = forwardRef<HTMLButtonElement, IconButtonProps>(function IconButton(
  { label, children, variant = "subtle", to, href, download, ...rest },
  ref,
) {
  const common = { variant, "aria-label": label, ...rest };
  let control: ReactNode;
  if (to) {
    control = (
      <ActionIcon component={Link} to={to} {...common}>
        {children}
      </ActionIcon>
    );
  } else if (href) {
    control = (
      <ActionIcon component="a" href={href} download={download} {...common}>
        {children}
      </ActionIcon>
    );
  } else {
    control = (
      <ActionIcon ref={ref} {...common}>
        {children}
      </ActionIcon>
    );
  }
  return (
    <Tooltip label={label} withArrow openDelay={300}>
      {control}
    </Tooltip>
  );
});
