"""`nl2code score-text`: text-match metrics of prediction and reference files."""

from __future__ import annotations

from pathlib import Path

import click

from nl2code.cli._common import console, fmt, write_json


def parse_text_metrics(ctx, param, value: str | None) -> tuple[str, ...]:
    """--text-metrics: names checked now, the libraries imported only when scoring starts."""
    if not value:
        return ()
    from nl2code.errors import InputError
    from nl2code.metrics.text import parse_metrics

    try:
        return parse_metrics(value, "--text-metrics")
    except InputError as exc:
        raise click.BadParameter(str(exc)) from None


def text_metric_options(f):
    """--lang and --codebleu-fixed, shared by the commands that compute text metrics."""
    f = click.option("--codebleu-fixed", is_flag=True, help="CodeBLEU with the codebleu package's known defects fixed (docs/text-metrics.md); default: the package's value.")(f)
    return click.option("--lang", default="python", show_default=True, help="Language of the code, for CodeBLEU's parser and keywords.")(f)


@click.command("score-text")
@click.option("--predictions", "-p", required=True, type=click.Path(dir_okay=False, path_type=Path), help="One prediction per line (.txt), a JSONL with 'text', or a JSON list.")
@click.option("--references", "-r", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The references, in the same order and format choices.")
@click.option("--field", help="Read each prediction from this field of the records of a .json/.jsonl predictions file (e.g. one system's column of a file holding several).")
@click.option("--metrics", "-m", default="bleu,conala-bleu,codebleu,rouge-l,chrf,exact-match,edit-sim", show_default=True, help="Comma-separated metric names.")
@text_metric_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the scores, with each definition and library version, as JSON.")
def score_text(predictions, references, field, metrics, lang, codebleu_fixed, json_path):
    """Score PREDICTIONS against REFERENCES with text-match metrics (0-100). A text match says how
    close code is to one reference, not whether it is correct."""
    from nl2code.metrics import text
    from nl2code.metrics.text._files import check_counts, read_texts

    names = text.parse_metrics(metrics)
    options = text.TextOptions(lang=lang, codebleu_fixed=codebleu_fixed)
    preds = read_texts(predictions, "--predictions", field)
    refs = read_texts(references, "--references")
    check_counts(preds, refs, predictions, references)
    scores = {name: text.score_corpus(name, preds, refs, options) for name in names}
    from rich.table import Table

    table = Table(title=f"{len(preds)} predictions vs {references}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("computed by")
    for name, score in scores.items():
        table.add_row(name, fmt(score.value, 2), score.library)
    console.print(table)
    if json_path:
        write_json(json_path, {"predictions": str(predictions), "field": field, "references": str(references), "pairs": len(preds),
                               "text_metrics": {name: s.as_dict() for name, s in scores.items()}})
