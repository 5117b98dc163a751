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
from ocr.engines import UnknownEngine

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
    ruleset: Annotated[str | None, typer.Option(
        help="re-run on this published rule set (its sha256) instead of the live one")] = None,
) -> None:
    """Pre-review one case folder and print the verdict (exit 0 for any verdict)."""
    try:
        services = build_services()
        book = _archive(services).get(ruleset) if ruleset else services.rules
        result = _run_with_progress(case_dir, services, show=not as_json and err.is_terminal,
                                    book=book)
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


def _archive(services: Any) -> Any:
    from engine.rulesets import RuleSets

    return RuleSets(services.store, services.settings.rules_dir)


def _run_with_progress(case_dir: Path, services: Any, show: bool,
                       book: RuleBook | None = None) -> CaseResult:
    book = book or services.rules
    if not show:
        return verify_case_dir(case_dir, book, services.registry, services.store)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
               "{task.total}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = {"read": "读取文件 reading files", "evaluate": "规则评估 evaluating"}
                tasks[stage] = bar.add_task(label.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return verify_case_dir(case_dir, book, services.registry, services.store, progress)


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
    what: Annotated[str, typer.Argument(help="accuracy | cases | rules | service")] = "accuracy",
    count: Annotated[int, typer.Option(help="documents per kind and degradation")] = 5,
    seed: Annotated[int, typer.Option(help="seed of the corpus (held back from tuning)")] = 2026,
    corpus: Annotated[Path | None, typer.Option(help="an existing corpus with truth.json")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write figures here")] = None,
    workers: Annotated[str, typer.Option(help="service: worker processes, e.g. 1,2")] = "1,2",
    n_cases: Annotated[int, typer.Option("--cases", help="service: cases per run")] = 4,
    engines: Annotated[str | None, typer.Option(
        help="accuracy: engine profiles side by side, e.g. "
             "tesseract-raw,tesseract,rapidocr,combined,configured (configured: the profile chosen "
             "per kind, the default)")
    ] = None,
    repeat: Annotated[int, typer.Option(
        help="accuracy: read each file this many times (bare Tesseract and us back to "
             "back) and keep the quickest round")] = 1,
) -> None:
    """Print figures: ``accuracy`` (reading, per kind, degradation and field, seconds per
    page), ``cases`` (verdicts of every generated scenario: exact, fail-safe, wrong),
    ``rules`` (the rules stage: ms per case, facts per second, as rules grow) or ``service``
    (cases per hour and upload→verdict seconds with 1, 2, … worker processes on Redis)."""
    from .bench import accuracy, cases, rules

    if what == "rules":
        figures = rules(out)
    elif what == "accuracy":
        try:
            figures = accuracy(count, seed, corpus, out,
                               [e.strip() for e in engines.split(",")] if engines else None,
                               max(1, repeat))
        except UnknownEngine as problem:
            err.print(f"[red]{problem}[/red]")
            raise typer.Exit(2) from None
    elif what == "cases":
        figures = cases(seed, out)
    elif what == "service":
        from .bench_service import service

        figures = service([int(n) for n in workers.split(",")], n_cases, seed, out)
    else:
        err.print(f"unknown bench {what!r}: try accuracy, cases, rules or service")
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
    compile_: Annotated[bool, typer.Option("--compile", help=(
        "also register the rules in the rules engine in a separate process (with a timeout)"
    ))] = False,
) -> None:
    """Validate rule files: schema, facts and fields, expressions, cycles, rules-engine limits."""
    from engine.rulecheck import try_compile

    book = _rules_or_exit(directory)
    problems = try_compile(directory) if compile_ else []
    if problems:
        for problem in problems:
            typer.echo(f"{directory}: {problem}", err=True)
        raise typer.Exit(InvalidRuleSet.exit_code)
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


@rules_app.command("publish")
def rules_publish(
    directory: Annotated[Path, typer.Argument(help="rule directory to publish")],
    by: Annotated[str, typer.Option("--by", help="who publishes (kept in the history)")],
    note: Annotated[str, typer.Option(help="why (kept in the history)")] = "",
) -> None:
    """Validate, test and try-compile DIR, keep it in the object store and make it live."""
    try:
        services = build_services()
        book = _archive(services).publish(directory, by, note)
    except InvalidRuleSet as error:
        for problem in error.problems:
            typer.echo(f"{directory}/{problem}", err=True)
        err.print(f"[bold red]{len(error.problems)} problem(s)[/]: not published")
        raise typer.Exit(error.exit_code) from None
    except PrereviewError as error:
        fail(error)
    out.print(f"[green]live[/]: {book.name} {book.version} sha256 {book.sha256}")


@rules_app.command("versions")
def rules_versions() -> None:
    """The published rule sets, oldest first; * marks the live one."""
    try:
        listed = _archive(build_services()).versions()
    except PrereviewError as error:
        fail(error)
    for v in listed:
        mark = "*" if v.current else " "
        out.print(f"{mark} {v.sha256} {v.name} {v.version} {v.published_at} "
                  f"{v.published_by} {v.note}", markup=False, highlight=False)


@rules_app.command("backtest")
def rules_backtest(
    candidate: Annotated[Path, typer.Option(help="the candidate rule directory")],
    cases: Annotated[Path, typer.Option(help="folder of case folders (case.json + files)")],
    as_json: Annotated[bool, typer.Option("--json", help="print the comparison as JSON")] = False,
    current: Annotated[Path, typer.Option(help="the rules compared against")] = DEFAULT_RULES_DIR,
) -> None:
    """Evaluate every case with the current and the candidate rules; show what changes.
    What was read is kept in each case's .prereview-read/ folder, so a second run is fast."""
    from engine.backtest import backtest_dirs, format_change

    before, after = _rules_or_exit(current), _rules_or_exit(candidate)
    try:
        changes = backtest_dirs(after, before, cases)
    except PrereviewError as error:
        fail(error)
    if as_json:
        sys.stdout.write(json.dumps([c.as_dict() for c in changes], ensure_ascii=False,
                                    indent=2) + "\n")
        return
    for change in changes:
        out.print(format_change(change), markup=False, highlight=False)
    moved = sum(c.changed for c in changes)
    out.print(f"{moved} of {len(changes)} case(s) would change")


from .cli_service import register  # noqa: E402 - service commands live beside

register(app)

if __name__ == "__main__":
    app()

