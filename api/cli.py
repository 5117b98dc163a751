"""The command line: ``prereview verify CASE_DIR``, ``prereview rules validate``, …"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from engine.errors import InvalidRuleSet, PrereviewError
from engine.pipeline import CaseResult, verify_case_dir
from engine.report import render_report
from engine.rulebook import DEFAULT_RULES_DIR, RuleBook, load_rulebook
from engine.scenarios import run_scenarios

from .services import build_services

app = typer.Typer(help="prereview: loan pre-review (贷款预审) from the command line.",
                  no_args_is_help=True, add_completion=False)
rules_app = typer.Typer(help="Check rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
out = Console()
err = Console(stderr=True)

VERDICT_STYLE = {"pass": "bold green", "conditional": "bold yellow", "reject": "bold red"}
VERDICT_LABEL = {"pass": "通过 pass", "conditional": "有条件通过 conditional pass",
                 "reject": "拒绝 reject"}


def fail(error: PrereviewError) -> NoReturn:
    """Say what went wrong (plain text: codes in brackets are not markup) and exit."""
    typer.echo(f"error [{error.code}] {error.message}", err=True)
    raise typer.Exit(error.exit_code)


@app.command()
def verify(
    case_dir: Annotated[Path, typer.Argument(help="folder with case.json and the files")],
    as_json: Annotated[bool, typer.Option("--json", help="print the verdict JSON")] = False,
    report: Annotated[Path | None, typer.Option(help="also write the HTML report here")] = None,
) -> None:
    """Pre-review one case folder and print the verdict (exit 0 for any verdict)."""
    try:
        services = build_services()
        result = _run_with_progress(case_dir, services, show=not as_json and err.is_terminal)
    except PrereviewError as error:
        fail(error)
    if report:
        write_report(result, report)
    if as_json:
        sys.stdout.write(json.dumps(result.verdict, ensure_ascii=False, indent=2) + "\n")
    else:
        print_verdict(result.verdict)
        if report:
            out.print(f"report: {report}")


def _run_with_progress(case_dir: Path, services: Any, show: bool) -> CaseResult:
    if not show:
        return verify_case_dir(case_dir, services.rules, services.registry, services.store)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
               "{task.total}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = {"read": "读取文件 reading files", "evaluate": "规则评估 evaluating"}
                tasks[stage] = bar.add_task(label.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return verify_case_dir(case_dir, services.rules, services.registry, services.store,
                               progress)


def write_report(result: CaseResult, path: Path) -> None:
    pages = {d.file: [p.image for p in d.pages] for d in result.documents}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(result.verdict, pages), encoding="utf-8")


def print_verdict(verdict: dict[str, Any]) -> None:
    kind = verdict["verdict"]
    out.print(f"case {verdict['case_id']}: [{VERDICT_STYLE[kind]}]{VERDICT_LABEL[kind]}[/]")
    style = {"reject": "red", "condition": "yellow", "info": "blue"}
    for f in verdict["findings"]:
        out.print(f"  [{style[f['severity']]}]{f['severity']:<9}[/] [bold]{f['code']}[/]"
                  f"  (rule {f['rule']['id']} v{f['rule']['version']})", highlight=False)
        out.print(f"            {f['message']}", markup=False, highlight=False)
        if f.get("action"):
            out.print(f"            → {f['action']}", markup=False, highlight=False)
    figures = {k: v for k, v in verdict["figures"].items() if v is not None}
    out.print("figures: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    skipped = [c["check"] for c in verdict["checks"] if c["status"] == "not_evaluated"]
    if skipped:
        out.print("not evaluated: " + ", ".join(skipped))
    rs = verdict["ruleset"]
    out.print(f"rule set {rs['name']} {rs['version']} sha256 {rs['sha256'][:12]}")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="where cases and reports go")] = Path(
        ".var/demo"),
    seed: Annotated[int, typer.Option(help="seed of the generated applicants")] = 7,
) -> None:
    """Generate sample cases, verify them, print the verdicts and write the reports."""
    from samples.cases import build_case

    try:
        services = build_services()
    except PrereviewError as error:
        fail(error)
    out_dir.mkdir(parents=True, exist_ok=True)
    for scenario in ("clean", "balance_broken"):
        case_dir = build_case(scenario, seed, out_dir / "cases")
        out.rule(f"{scenario}: {case_dir}")
        result = _run_with_progress(case_dir, services, show=err.is_terminal)
        report = out_dir / f"report-{scenario}.html"
        write_report(result, report)
        print_verdict(result.verdict)
        out.print(f"report: {report.resolve()}")


@app.command("bench")
def bench(
    what: Annotated[str, typer.Argument(help="accuracy | cases | rules")] = "accuracy",
    count: Annotated[int, typer.Option(help="documents per kind and degradation")] = 5,
    seed: Annotated[int, typer.Option(help="seed of the corpus (held back from tuning)")] = 2026,
    corpus: Annotated[Path | None, typer.Option(help="an existing corpus with truth.json")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write figures here")] = None,
) -> None:
    """Print figures: ``accuracy`` (reading, per kind, degradation and field, seconds per
    page), ``cases`` (verdicts of every generated scenario: exact, fail-safe, wrong) or
    ``rules`` (the rules stage: ms per case, facts per second, as rules grow)."""
    from .bench import accuracy, cases, rules

    if what == "rules":
        figures = rules(out)
    elif what == "accuracy":
        figures = accuracy(count, seed, corpus, out)
    elif what == "cases":
        figures = cases(seed, out)
    else:
        err.print(f"unknown bench {what!r}: try accuracy, cases or rules")
        raise typer.Exit(2)
    if json_out:
        json_out.write_text(json.dumps(figures, indent=2), encoding="utf-8")


def _rules_or_exit(directory: Path) -> RuleBook:
    """The rule book, or each problem with its file and line and a non-zero exit."""
    try:
        return load_rulebook(directory)
    except InvalidRuleSet as error:
        for problem in error.problems:
            typer.echo(f"{directory}/{problem}", err=True)
        err.print(f"[bold red]{len(error.problems)} problem(s)[/]: the rule set cannot go live")
        raise typer.Exit(error.exit_code) from None


@rules_app.command("validate")
def rules_validate(
    directory: Annotated[Path, typer.Argument(help="rule directory")] = DEFAULT_RULES_DIR,
) -> None:
    """Validate rule files: schema, facts and fields, expressions, cycles."""
    book = _rules_or_exit(directory)
    out.print(f"[green]valid[/]: {book.name} {book.version}, {len(book.rules)} rules, "
              f"sha256 {book.sha256}")


@rules_app.command("test")
def rules_test(
    directory: Annotated[Path, typer.Argument(help="rule directory")] = DEFAULT_RULES_DIR,
) -> None:
    """Run the scenario tests in DIR/tests/*.yaml against the rules in DIR."""
    book = _rules_or_exit(directory)
    try:
        results = run_scenarios(book, directory / "tests")
    except PrereviewError as error:
        fail(error)
    for result in results:
        mark = "[green]ok[/]  " if result.passed else "[red]FAIL[/]"
        out.print(f"{mark} {result.file}: {result.name}")
        for problem in result.problems:
            out.print(f"       {problem}")
    failed = sum(not r.passed for r in results)
    out.print(f"{len(results) - failed} passed, {failed} failed")
    if failed or not results:
        raise typer.Exit(1)


from .cli_service import register  # noqa: E402 - service commands live beside

register(app)

if __name__ == "__main__":
    app()

