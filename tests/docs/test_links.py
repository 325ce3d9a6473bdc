"""The documentation's links hold: every relative link in README.md, docs/*.md and
examples/*/README.md names a file or folder that exists, every `#anchor` names a heading of
its page (as GitHub makes them), README.md stays a front door, and no page of docs/ is an
orphan. External links are not fetched."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from warmstart.stackfile import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
DOCS = PROJECT_ROOT / "docs"
PAGES = sorted([README, *DOCS.glob("*.md"), *(PROJECT_ROOT / "examples").glob("*/README.md")])
README_MAX_LINES = 250

FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
# [text](target) and ![alt](target); the text may hold one level of brackets ([`a[]`]).
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$", re.MULTILINE)


def prose(text: str) -> str:
    """The Markdown outside fenced code blocks."""
    return FENCE.sub("", text)


def links(text: str) -> list[str]:
    """Link targets of the prose; a code span's text is not a link (link text can hold one)."""
    return LINK.findall(CODE_SPAN.sub(lambda match: "code", prose(text)))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text (no markup) in lower case, punctuation but
    `-` and `_` dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = text.replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a page's headings give, repeated ones numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    result = set()
    for _, heading in HEADING.findall(prose(page.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def broken(page: Path) -> list[str]:
    problems = []
    for target in links(page.read_text()):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # http(s), mailto: not fetched
        path, _, fragment = target.partition("#")
        destination = (page.parent / unquote(path)).resolve() if path else page
        if not destination.exists():
            problems.append(f"{target}: no such file")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            problems.append(f"{target}: no heading #{fragment} in {destination.name}")
    return problems


def linked_pages(page: Path) -> set[Path]:
    return {
        (page.parent / unquote(target.partition("#")[0])).resolve()
        for target in links(page.read_text())
        if target.partition("#")[0] and not re.match(r"^[a-z][a-z0-9+.-]*:", target)
    }


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(PROJECT_ROOT)))
def test_every_relative_link_and_anchor_resolves(page):
    assert broken(page) == []


def test_the_readme_is_a_front_door():
    lines = len(README.read_text().splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move text into docs/"


def test_no_page_of_docs_is_an_orphan():
    reachable = linked_pages(README) | linked_pages(DOCS / "README.md")
    orphans = [page.name for page in DOCS.glob("*.md") if page.resolve() not in reachable]
    assert orphans == []


def test_the_checker_finds_what_is_broken(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## Promotion: `warmstart promote`\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n## A heading, with punctuation!\n\n## A heading, with punctuation\n\n"
        "[fine](#a-heading-with-punctuation) [again](#a-heading-with-punctuation-1) "
        "[other](other.md#promotion-warmstart-promote) [web](https://example.com/x#y) "
        "[`code[]`](other.md) `[not a link](missing.md)`\n\n"
        "[gone](missing.md) [bad anchor](#nowhere) [bad other](other.md#nowhere)\n\n"
        "```\n[in a fence](missing-too.md)\n```\n"
    )
    assert broken(page) == [
        "missing.md: no such file",
        "#nowhere: no heading #nowhere in page.md",
        "other.md#nowhere: no heading #nowhere in other.md",
    ]
