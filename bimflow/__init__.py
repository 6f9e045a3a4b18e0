"""bimflow: a self-hosted workspace for running scripts on IFC models."""

__version__ = "0.1.0"
