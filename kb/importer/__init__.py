"""kb import: clean a text and propose draft records from it.

One module per step, each a plain function a test or another front end can call alone:

- `cleaning.clean(text) -> Document` undoes the layout: paragraphs, headings, footnotes tied to
  the sentence their marker follows, figure captions;
- `proposing.propose(document, corpus, source_id)` turns it into draft records and marks those
  that repeat a record already there (the rules of `matching`);
- `measuring.measure(drafts, corpus)` compares the drafts with the hand-curated records of the
  same chapter;
- `files.import_file(path, home)` reads the file, runs the three and writes the new drafts
  (never over a file, never through a symlink).

The text report is rendered by `kb.views_import`.
"""

from kb.importer.cleaning import MARKERS, Block, Document, Footnote, clean
from kb.importer.files import ImportProblem, ImportResult, import_file, read_chapter, source_id_for, to_yaml
from kb.importer.measuring import Figures, measure
from kb.importer.proposing import Draft, parse_reference, propose, sentences

CleanText = Document  # the name before the package split

__all__ = [
    "MARKERS",
    "Block",
    "CleanText",
    "Document",
    "Draft",
    "Figures",
    "Footnote",
    "ImportProblem",
    "ImportResult",
    "clean",
    "import_file",
    "measure",
    "parse_reference",
    "propose",
    "read_chapter",
    "sentences",
    "source_id_for",
    "to_yaml",
]
