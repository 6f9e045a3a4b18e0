"""Pure-IFC code for bimflow (no Django): read, extract, data pack, generate."""
