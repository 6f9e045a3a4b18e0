"""Test-only stand-in for ``bimflow.ifc.datapack``: a JSON data pack.

The real reader (columnar, lazily loaded) is another engineer's; the sandbox only
relies on ``read_datapack(path)`` returning an object with ``.meta`` and lazily
loaded ``.elements`` / ``.properties`` DataFrames.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path


class DataPack:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._raw = json.loads(self.path.read_text())
        self.meta = self._raw["meta"]

    @cached_property
    def elements(self):  # noqa: ANN201 - a pandas DataFrame
        import pandas as pd

        return pd.DataFrame(self._raw["elements"])

    @cached_property
    def properties(self):  # noqa: ANN201 - a pandas DataFrame
        import pandas as pd

        return pd.DataFrame(self._raw["properties"])


def read_datapack(path: Path) -> DataPack:
    return DataPack(path)
