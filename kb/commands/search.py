"""kb search: Chinese full-text search with filters, facets and explained hits."""

from __future__ import annotations

import sys

import click

from kb.commands.options import Ctx, filter_options, json_option
from kb.render import emit


@click.command()
@click.argument("query", nargs=-1, required=True)
@filter_options
@click.option(
    "--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True, help="Order of hits."
)
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="How many hits to show.")
@click.option("--facets", is_flag=True, help="Also count all hits by year, kind, topic and speaker/issuer.")
@click.option("--exact", is_flag=True, help="Do not widen the query with synonyms.")
@json_option
@click.pass_obj
def search(
    obj: Ctx, query, date_from, date_to, year, kinds, topics, people, region, sort, limit, facets, exact, as_json
):
    """Search the corpus in Chinese (jieba-segmented; traditional characters fold to simplified).

    Whoosh syntax works: AND, OR, NOT, "quoted phrases", parentheses, field:value
    (fields: title, body, people, kind, topics, region, id).

    \b
    Examples:
      kb search 科技自立自强
      kb search 最后一公里 --kind remark
      kb search '"科技成果评价" OR 指挥棒' --from 2018 --to 2021-06
      kb search 科技成果转化 --issuer 国务院办公厅 --sort date --json
    """
    from kb.views import search_text

    result = obj.kb().search(
        " ".join(query),
        date_from=date_from,
        date_to=date_to,
        year=year,
        kinds=kinds,
        topics=topics,
        people=people,
        region=region,
        sort=sort,
        limit=limit,
        facets=facets,
        exact=exact,
    )
    for notice in result.notices:
        if as_json or notice not in result.understood:  # the text view prints how the query was read
            click.echo(notice, err=True)
    if as_json:
        emit(result.to_json(), as_json=True)
    else:
        click.echo(search_text(result, color=sys.stdout.isatty()))
