/** How an element outside any storey is labelled everywhere. */
export const NO_STOREY = "(not in a storey)";
