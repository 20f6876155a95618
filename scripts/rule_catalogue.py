"""Regenerate the rule catalogue in README.md (between <!-- rules:start --> and <!-- rules:end -->) from
podpub/validation/rules.py.

    python scripts/rule_catalogue.py           # rewrite README.md
    python scripts/rule_catalogue.py --check   # exit 1 if README.md is out of date
    python scripts/rule_catalogue.py --print   # print the section
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from podpub.validation.catalogue import render, replace_section  # noqa: E402


def main(argv: list[str]) -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if "--print" in argv:
        print(render())
        return 0
    updated = replace_section(text)
    if "--check" in argv:
        if updated != text:
            print("README.md's rule catalogue is out of date: run python scripts/rule_catalogue.py", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        readme.write_text(updated, encoding="utf-8")
        print("README.md: rule catalogue updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
