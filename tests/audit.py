"""`make audit`: static security analysis (bandit) and known vulnerabilities of the pinned packages (pip-audit).

bandit must report nothing at any severity (a deliberate exception carries `# nosec <test id>  # reason` on its line).
pip-audit must report no known vulnerability in requirements.txt. When no vulnerability service can be reached
(the PyPI JSON API or OSV; a machine whose network reaches only a package mirror), every package comes back
"could not be audited": that is printed as NOT AUDITED, loudly, rather than passed off as a clean audit.
"""

import json
import subprocess
import sys
from pathlib import Path

from congress.layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APPS = list(LAYERS)


def bandit() -> int:
    cmd = [str(BIN / "bandit"), "-q", "-r", *APPS, "-x", ",".join(f"./{a}/migrations" for a in APPS)]
    print("== bandit", flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode  # noqa: S603


def pip_audit() -> int:
    print("== pip-audit requirements.txt", flush=True)
    out = subprocess.run(  # noqa: S603
        [str(BIN / "pip-audit"), "-r", "requirements.txt", "-f", "json", "--progress-spinner", "off"],
        cwd=ROOT, capture_output=True, text=True,
    )
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        print(out.stdout, out.stderr, sep="\n")
        return 1
    rc, lines = judge(report)
    print("\n".join(lines))
    return rc


def judge(report: dict) -> tuple[int, list[str]]:
    """Exit code and lines to print for a pip-audit JSON report: 1 if any package has a known vulnerability."""
    deps = report["dependencies"]
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if "skip_reason" in d]
    lines = []
    for d in vulnerable:
        for v in d["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed release"
            lines.append(f"VULNERABLE {d['name']} {d['version']}: {v['id']} (fixed in {fixed})")
    audited = len(deps) - len(skipped)
    if skipped and not audited:
        lines.append(f"NOT AUDITED: no vulnerability service reachable; all {len(deps)} packages skipped "
                     f"({skipped[0]['skip_reason']})")
    else:
        lines += [f"skipped {d['name']}: {d['skip_reason']}" for d in skipped]
        lines.append(f"pip-audit: {audited} packages audited, {len(vulnerable)} with known vulnerabilities")
    return (1 if vulnerable else 0), lines

if __name__ == "__main__":
    sys.exit(bandit() | pip_audit())
