"""kb timeline: remarks, policies and events by year, with the filters search has."""

from __future__ import annotations

import click

from kb.commands.options import Ctx, filter_options, json_option
from kb.render import emit


@click.command()
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for the terminal, markdown to paste into a draft, json for programs.",
)
@json_option
@click.pass_obj
def timeline(obj: Ctx, date_from, date_to, year, kinds, topics, people, region, fmt, as_json):
    """Remarks, policies and events in date order, under year headings.

    Dates are shown as precisely as the corpus knows them (2018年5月28日, 2021年5月,
    2018年4月24日至28日); a date that another source made more precise than the chapter's is
    marked * with what the chapter wrote (本章作2021年5月). A period or a year-only date sorts
    at its start. Statistics and references appear only with --kind. A record matches --from/--to when its period overlaps them; undated records
    come last, under 日期不详, and only when no date filter is set.

    \b
    Examples:
      kb timeline --year 2020
      kb timeline --from 2018 --to 2020-06 --topic 科技成果转化
      kb timeline --kind policy --issuer 国务院 --format markdown
      kb timeline --kind statistic --kind reference --json
    """
    from kb.views import timeline_markdown, timeline_text

    tl = obj.kb().timeline(
        date_from=date_from, date_to=date_to, year=year, kinds=kinds, topics=topics, people=people, region=region
    )
    if as_json or fmt == "json":
        emit(tl.to_json(), as_json=True)
    elif fmt == "markdown":
        emit(timeline_markdown(tl))
    else:
        emit(timeline_text(tl))
