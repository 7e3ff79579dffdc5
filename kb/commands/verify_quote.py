"""kb verify-quote: is this text a verbatim quotation in the corpus, whose, when, and is it disputed?"""

from __future__ import annotations

import click

from kb.commands.options import Ctx, json_option
from kb.render import emit


@click.command("verify-quote")
@click.argument("text", nargs=-1, required=True)
@json_option
@click.pass_obj
def verify_quote(obj: Ctx, text: tuple[str, ...], as_json: bool) -> None:
    """Check TEXT against every quotation of the corpus before quoting it.

    White space and full-/half-width punctuation are ignored; an ellipsis (… …… ...) marks an
    omission. Prints whose words they are, when and where, the form (direct or reported)
    and any dispute; a near miss prints the closest quotations as the corpus has them.
    Exits 1 when the text is not verbatim.

    \b
    Examples:
      kb verify-quote '打通“最后一公里”'
      kb verify-quote 科技创新绝不仅仅是实验室里的研究 --json
    """
    from kb.views import verify_quote_text

    result = obj.kb().verify_quote(" ".join(text))
    if as_json:
        emit(result.to_json(), as_json=True)
    else:
        emit(verify_quote_text(result))
    if not result.verbatim:
        raise SystemExit(1)
