"""`nl2code benchmarks list|show|stats`."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from nl2code import benchmarks as registry
from nl2code.benchmarks import stats as bstats
from nl2code.cli._common import console
from nl2code.pipeline import load_benchmark


@click.group()
def benchmarks():
    """The execution-based benchmarks nl2code can run."""


@benchmarks.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per benchmark (each language of a family).")
def list_(as_json):
    """List the benchmarks: size, language, metric and data source."""
    from nl2code.benchmarks._listing import LISTINGS
    from nl2code.benchmarks.info import INFO

    rows = []
    loaders = dict(registry.BENCHMARKS)
    loaders.update({f"{n}@{v}": loader for n, versions in registry.VERSIONS.items() for v, loader in versions.items()})
    for name, loader in loaders.items():
        listing = LISTINGS.get(name)
        info = INFO.get(name)
        if listing is None and info is not None:
            rows.append({"name": name, "problems": str(info.problems), "language": info.language, "metric": info.metric, "source": info.data})
            continue
        rows.append({"name": name, "problems": listing.problems if listing else "", "language": listing.language if listing else "",
                     "metric": listing.metric if listing else "", "source": listing.source if listing else (loader.__doc__ or "").strip()})
    if as_json:
        click.echo(json.dumps(rows))
        return
    table = Table("name", "problems", "language", "metric", "data source")
    in_family = {name for members in registry.FAMILIES.values() for name in members}
    for row in rows:
        if row["name"] not in in_family:
            table.add_row(row["name"], row["problems"], row["language"], row["metric"], row["source"])
    for family, members in registry.FAMILIES.items():  # one row per multilingual family
        table.add_row(f"{family}-<lang>", "", "languages: " + ", ".join(m[len(family) + 1:] for m in members), "", "")
    console.print(table)


@benchmarks.command()
@click.argument("name", type=click.Choice(registry.names()))
@click.argument("task_id", required=False)
@click.option("--dataset", type=click.Path(dir_okay=False), help="A local copy of the benchmark's data file.")
def show(name, task_id, dataset):
    """Show a benchmark (version, data hash, problems), or one of its problems."""
    bench = load_benchmark(name, dataset)
    if task_id is None:
        console.print(f"[bold]{bench.name}[/] {bench.version}  sha256 {bench.data_sha256}\n{bench.source}\n{len(bench.problems)} problems: "
                      + ", ".join(p.task_id for p in bench.problems[:8]) + (" ..." if len(bench.problems) > 8 else ""))
        return
    problem = bench.get(task_id)
    if problem is None:
        raise click.BadParameter(f"no problem {task_id!r} in {name}", param_hint="TASK_ID")
    console.print(f"[bold]{problem.task_id}[/] entry point {problem.entry_point!r}, {problem.n_tests} tests")
    console.print(problem.prompt, markup=False, highlight=False)
    for i, step in enumerate(problem.steps):
        console.print(f"  step {i} [{step.kind.value}] {step.source}" + (f"  ({step.comparison.value} {step.expected!r})" if step.comparison else ""), markup=False, highlight=False)


@benchmarks.command()
@click.argument("name", type=click.Choice(registry.names()))
@click.option("--dataset", type=click.Path(dir_okay=False), help="A local copy of the benchmark's data file.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per problem.")
def protection(name, dataset, as_json):
    """Which problems' tests are compared in the trusted parent (protected) and which fall back to
    asserts run inside the sample's process."""
    rows = []
    for p in load_benchmark(name, dataset).problems:
        rows.append({"task_id": p.task_id, "tests": p.n_tests, "protected": p.n_protected, "in_child": p.n_tests - p.n_protected,
                     "fully_protected": p.fully_protected})
    if as_json:
        click.echo(json.dumps(rows))
        return
    full = sum(r["fully_protected"] for r in rows)
    console.print(f"{name}: {full} of {len(rows)} problems fully protected; "
                  f"{sum(r['protected'] for r in rows)} of {sum(r['tests'] for r in rows)} test cases compared in the parent")
    table = Table("problem", "tests", "protected", "in child", title="problems with asserts run in the child")
    for r in rows:
        if not r["fully_protected"]:
            table.add_row(r["task_id"], str(r["tests"]), str(r["protected"]), str(r["in_child"]))
    console.print(table)


@benchmarks.command()
@click.argument("name", type=click.Choice(registry.names()))
@click.option("--dataset", type=click.Path(dir_okay=False), help="A local copy of the benchmark's data file.")
@click.option("--json", "as_json", is_flag=True, help="Print one flat JSON object to stdout.")
def stats(name, dataset, as_json):
    """Statistics computed from the data, next to the NL2Code survey's published values."""
    values = bstats.compute(load_benchmark(name, dataset))
    if as_json:
        click.echo(json.dumps(values))
        return
    survey = bstats.SURVEY.get(name, {})
    row = f"; survey row: {survey['row']}" if "row" in survey else ("" if survey else "; no survey row (the survey's tables do not list it)")
    table = Table("statistic", "computed", "survey (Zan et al. 2023)", title=f"{name} {values['version']}{row}")
    for key, value in values.items():
        if key in {"benchmark", "version", "data_sha256"}:
            continue
        table.add_row(key, str(value), str(survey.get(key, "")))
    console.print(table)
