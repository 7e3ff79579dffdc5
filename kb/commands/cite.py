"""kb cite: citations in GB/T 7714-2015, provenance of a quotation, exports for Zotero."""

from __future__ import annotations

import click

from kb.cite import FORMS, PUNCTS, STYLES
from kb.commands.options import Ctx, json_option
from kb.records import KINDS
from kb.render import emit


@click.command()
@click.argument("args", nargs=-1, metavar="ID…|TEXT")
@click.option(
    "--all", "all_", is_flag=True, help="Cite every record of --kind (default: reference), in the chapter's order."
)
@click.option(
    "--kind", type=click.Choice(KINDS), help="With --all: which records; with TEXT: only records of this kind."
)
@click.option(
    "--style",
    type=click.Choice(STYLES),
    default="gbt7714",
    show_default=True,
    help="GB/T 7714-2015 text, or an export for reference managers.",
)
@click.option(
    "--punct",
    type=click.Choice(PUNCTS),
    default="half",
    show_default=True,
    help="Punctuation of GB/T 7714 entries: half-width, or full-width except . and / (humanities journals).",
)
@click.option(
    "--form",
    type=click.Choice(FORMS),
    default="document",
    show_default=True,
    help="How a policy is cited: 发文机关.题名:文号[A]. or online [EB/OL] with its date.",
)
@json_option
@click.pass_obj
def cite(
    obj: Ctx, args: tuple[str, ...], all_: bool, kind: str | None, style: str, punct: str, form: str, as_json: bool
) -> None:
    """Cite records by id, find who said a phrase, or print the whole bibliography.

    IDs give their GB/T 7714 entries (several: a numbered list [1] [2] …, identical entries
    once). Any other TEXT finds the record whose quotation or title contains it and prints the
    quotation with its date, speaker, occasion and source; several matches are listed best
    first with ids.

    \b
    Examples:
      kb cite 最后一公里
      kb cite ref-hu-angang-2023 ref-li-sen-2024
      kb cite --kind reference --all
      kb cite --kind reference --all --style csl-json > chapter.json
      kb cite 2016-04-21-action-plan-tech-transfer --form online --punct full
    """
    from kb.views import cite_text

    if all_:
        result = obj.kb().cite(args, all_of=kind or "reference", style=style, punct=punct, form=form)
    else:
        result = obj.kb().cite(args, kind=kind, style=style, punct=punct, form=form)
    emit(result if as_json else cite_text(result), as_json=as_json)
