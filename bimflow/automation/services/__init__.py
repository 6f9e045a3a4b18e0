"""The writes of the automation app, one module per topic (see each module)."""
