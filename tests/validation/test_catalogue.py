"""The rule catalogue: stable, documented, and the README's copy generated from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from podpub.validation.catalogue import current_section, render, replace_section
from podpub.validation.rules import PROFILES, RULES, Severity

ROOT = Path(__file__).resolve().parents[2]


def test_readme_catalogue_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert current_section(readme) == render(), "run: python scripts/rule_catalogue.py"


def test_the_script_checks_and_rewrites_the_section(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "rule_catalogue.py"), "--check"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    stale = "intro\n<!-- rules:start -->\nold table\n<!-- rules:end -->\nrest\n"
    fresh = replace_section(stale)
    assert fresh.startswith("intro\n<!-- rules:start -->") and fresh.endswith("<!-- rules:end -->\nrest\n")
    assert "`item.guid.duplicate`" in fresh and "old table" not in fresh


def test_every_rule_is_complete() -> None:
    assert len(RULES) >= 40
    for rule in RULES.values():
        assert re.fullmatch(r"[a-z0-9]+(\.[a-z0-9-]+)+", rule.id), rule.id
        assert rule.profiles and rule.profiles <= set(PROFILES), rule.id
        assert rule.message and rule.fix and "\n" not in rule.fix, rule.id
        assert re.search(r"§\d|B\d", rule.ref), rule.id  # grounded in shared/docs
    assert {r.severity for r in RULES.values()} == set(Severity)


def test_the_ids_the_issue_names_exist() -> None:
    assert {"apple.image.size", "item.guid.duplicate", "podcastindex.guid.mismatch"} <= set(RULES)
