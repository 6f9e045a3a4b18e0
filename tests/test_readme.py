"""The README stays true to the code: every environment variable bimflow reads is in its
configuration table, and the two commands it opens with are the Makefile's."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV_READ = re.compile(
    r"""(?:env_(?:str|int|bool|float)\(|os\.environ\.get\(|os\.environ\[|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)
# Set by Django, Celery or the shell, not settings of bimflow.
NOT_OURS = {"DJANGO_SETTINGS_MODULE", "PATH", "HOME", "USER", "LANG", "TMPDIR", "PWD"}


def env_vars_read_by_code() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "bimflow").rglob("*.py"):
        names |= set(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names - NOT_OURS


def test_every_environment_variable_is_documented():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = sorted(name for name in env_vars_read_by_code() if f"`{name}`" not in readme)
    assert missing == [], f"README.md does not document: {missing}"


def test_the_two_commands_exist():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "CI=true" in ci
