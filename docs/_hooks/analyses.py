"""MkDocs hook: the report guide's list of analyses is `navdecode.report.catalogue()`.

A page that holds the line ``<!-- analyses -->`` gets, in its place, one table row per
report analysis and recipe, made from the registry the report itself runs, so the list
cannot drift from the code.
"""

from __future__ import annotations

MARKER = "<!-- analyses -->"


def on_page_markdown(markdown: str, **kwargs: object) -> str:
    if MARKER not in markdown:
        return markdown
    from navdecode.report import catalogue

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = ["| analysis | runs | needs | recipe | what it computes | how the report names it "
            "| columns |", "|---|---|---|---|---|---|---|"]
    rows += [f"| `{r['analysis']}` | {cell(r['always'])} | {cell(r['needs'])} | {r['recipe']} "
             f"| {cell(r['how'])} | {cell(r['label'])} | {cell(r['columns'])} |"
             for r in catalogue()]
    return markdown.replace(MARKER, "\n".join(rows))
