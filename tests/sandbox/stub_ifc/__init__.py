"""Test-only stand-in for ``bimflow.ifc`` until the real data pack reader lands."""
