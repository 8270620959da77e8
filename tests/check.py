"""`make check`: the quick tier of the suite for the edit-and-test loop; `make test` (and CI) still runs everything.

It leaves out the fuzz, browser and integration tests and tests/demo (which seeds the demo district and the
synthetic city), and runs the test folders of the apps that the change touches: every file changed since the
branch left `main` (committed or not, and new files) maps to tests/<app>/, and a changed test file to itself.
A change to nothing of that kind (or `make check TESTS=all`) runs the whole quick tier; `make check
TESTS="tests/deputies tests/test_constraints.py"` runs what it names. It stops at the first failure, and runs over
every core (pytest-xdist).
"""

import subprocess
import sys
from pathlib import Path

from congress.layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APPS = LAYERS
# over every core (pytest-xdist: one SQLite test database per worker); `-x` stops at the first failure
QUICK = ["-m", "not fuzz and not browser and not integration", "--ignore=tests/demo", "-x", "-q", "-n", "auto"]


def _git(*args: str) -> list[str]:
    out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)  # noqa: S603, S607
    return out.stdout.split() if out.returncode == 0 else []


def changed_files(base: str = "main") -> list[str]:
    since = (_git("merge-base", "HEAD", base) or ["HEAD"])[0]
    return _git("diff", "--name-only", since) + _git("ls-files", "--others", "--exclude-standard")


def targets(files: list[str]) -> list[str]:
    """The test folders (or files) that a change to `files` calls for; none means the whole quick tier."""
    chosen = set()
    for name in files:
        parts = Path(name).parts
        if parts and parts[0] in APPS:
            chosen.add(f"tests/{parts[0]}")
        elif len(parts) >= 2 and parts[0] == "tests" and parts[1] in APPS:
            chosen.add(f"tests/{parts[1]}")
        elif len(parts) == 2 and parts[0] == "tests" and parts[1].startswith("test_") and (ROOT / name).exists():
            chosen.add(name)
    return sorted(chosen)


def main(argv: list[str]) -> int:
    if argv == ["all"]:
        paths = ["tests"]
    else:
        paths = argv or targets(changed_files()) or ["tests"]
    print("== make check:", " ".join(paths), flush=True)
    return subprocess.run([str(BIN / "pytest"), *QUICK, *paths], cwd=ROOT).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
