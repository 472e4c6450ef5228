"""Every file the docs, the README and the code cite by path exists in the tree: a newcomer who
follows a citation (`tests/functional/...`, `docs/...`) finds it, and a rename that forgets a
citation fails here instead of in someone's afternoon."""

import re

from tests import samples

ROOT = samples.ROOT
CITED = re.compile(
    r"(?<![\w/.-])((?:tests|voice_receipts|bench|deploy|docs|events)/[\w./-]+"
    r"\.(?:py|md|toml|yml|yaml|json|txt|sh))"
)
SKIP = {".venv", "node_modules", ".serverless", "mutants", "build"}


def citing_files():
    patterns = ("*.md", "docs/*.md", "bench/*.md", "bench/*.py", "voice_receipts/**/*.py", "tests/**/*.py")
    for pattern in patterns:
        for path in ROOT.glob(pattern):
            if not SKIP & set(path.relative_to(ROOT).parts):
                yield path
    yield from (ROOT / "Makefile", ROOT / "pyproject.toml")


def test_every_cited_path_exists():
    missing = sorted(
        f"{path.relative_to(ROOT)}: {cited}"
        for path in citing_files()
        for cited in set(CITED.findall(path.read_text(encoding="utf-8", errors="replace")))
        if not (ROOT / cited).exists()
    )
    assert missing == []
