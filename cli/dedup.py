"""``lokos synth`` and ``lokos dedup scan|sweep|sweep-digits|fit|evaluate``: the dedup engine's
batch side.

They call the dedup package directly (never the API), show progress on
stderr, and write results to files; no command prints a name or a number.
"""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cli.shared import console, load_settings
from core.database import create_engine, session_factory
from core.migrations import upgrade
from dedup.digit_sweep import sweep_digits
from dedup.evaluate import read_truth, score
from dedup.febrl import febrl3, febrl4
from dedup.fit import fit
from dedup.model import load_model
from dedup.online import Matcher
from dedup.scan import read_pairs, scan
from dedup.score import Thresholds
from dedup.sweep import sweep
from dedup.synth import write_synthetic

dedup_app = typer.Typer(help="Find members enrolled twice.", no_args_is_help=True)

Duplicate = Annotated[float, typer.Option(help="Probability that refuses as DUPLICATE.")]
Review = Annotated[float, typer.Option(help="Probability that sends to REVIEW.")]


def _bar(label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def synth(
    members: Annotated[int, typer.Option(help="Rows to write, duplicates included.")] = 10_000,
    dup_rate: Annotated[float, typer.Option(help="Share of rows that re-enrol a woman.")] = 0.1,
    seed: Annotated[int, typer.Option()] = 7,
    output: Annotated[Path, typer.Option(help="Interchange CSV to write.")] = Path("members.csv"),
    truth: Annotated[Path | None, typer.Option(help="Default: <output>.truth.csv")] = None,
) -> None:
    """Write synthetic members with known duplicates: an interchange CSV and a truth file."""
    truth = truth or output.with_suffix(".truth.csv")
    with _bar("Writing members") as bar:
        task = bar.add_task("rows", total=members)
        for done in write_synthetic(members, dup_rate, seed, output, truth):
            if done % 5000 == 0 or done == members:
                bar.update(task, completed=done)
    console.print(f"Wrote {members} rows to {output} and the true pairs to {truth}")


@dedup_app.command("scan")
def scan_command(
    input: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Interchange CSV.")],
    output: Annotated[Path, typer.Option(help="Candidate pairs CSV to write.")],
    errors: Annotated[Path | None, typer.Option(help="Default: <output>.errors.csv")] = None,
    model: Annotated[Path | None, typer.Option(help="Default: the shipped model.")] = None,
    duplicate_at: Duplicate = 0.95,
    review_at: Review = 0.05,
    workers: Annotated[int | None, typer.Option(help="Default: one per core, up to 4.")] = None,
) -> None:
    """Scan a CSV for members enrolled twice; no database needed."""
    errors = errors or output.with_suffix(".errors.csv")
    with _bar("Scanning") as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = scan(
            input,
            output,
            errors=errors,
            model_path=model,
            thresholds=Thresholds(duplicate_at, review_at),
            workers=workers,
            progress=progress,
        )
    console.print(
        f"{report.rows} rows read, {report.bad_rows} refused (see {errors}); "
        f"{report.compared} pairs compared in {report.blocks} blocks "
        f"({report.skipped_blocks} oversized blocks skipped); "
        f"{report.duplicates} duplicate and {report.reviews} review pairs in {output}"
    )
    if report.bad_rows:
        raise typer.Exit(1)


@dedup_app.command("sweep")
def sweep_command(
    duplicate_at: Duplicate = 0.95,
    review_at: Review = 0.05,
    rekey: Annotated[
        bool, typer.Option(help="Rewrite every member's blocking keys first (after an upgrade).")
    ] = False,
) -> None:
    """Scan the database's members and queue new candidate pairs for review."""
    settings = load_settings()

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
            with _bar("Sweeping blocks") as bar:
                task = bar.add_task("blocks", total=None)
                report = await sweep(
                    session_factory(engine),
                    Matcher(thresholds=Thresholds(duplicate_at, review_at)),
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                    rekey=rekey,
                )
        finally:
            await engine.dispose()
        console.print(
            f"{report.indexed} members indexed; {report.compared} pairs compared in "
            f"{report.blocks} blocks; {report.queued} new pairs queued for review"
        )

    asyncio.run(run())


@dedup_app.command("sweep-digits")
def sweep_digits_command(
    output: Annotated[
        Path | None,
        typer.Option(help="CSV of member IDs whose Aadhaar or bank account must be given again."),
    ] = None,
) -> None:
    """Repair members whose numbers were stored in non-ASCII digits and queue their pairs.

    Numbers typed in Devanagari or full-width digits were once tokenised as
    typed; run once after upgrading (a second run finds nothing).
    """
    settings = load_settings()

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
            with console.status("Sweeping members for non-ASCII digits"):
                report = await sweep_digits(session_factory(engine))
        finally:
            await engine.dispose()
        if output is not None:
            with output.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["member_id", "give_again"])
                for member_id, kinds in sorted(report.give_again.items()):
                    writer.writerow([member_id, "+".join(kinds)])
        console.print(
            f"{report.repaired} members repaired; {len(report.give_again)} must give their "
            f"Aadhaar or bank account again{f' (see {output})' if output else ''}; "
            f"{report.queued} new pairs queued for review"
        )

    asyncio.run(run())


@dedup_app.command("fit")
def fit_command(
    input: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Interchange CSV.")],
    output: Annotated[Path, typer.Option(help="Model file to write.")] = Path(
        "dedup/model_v2.json"
    ),
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """Refit the match model by EM (no labels read) and write it as JSON."""
    with console.status("Fitting"):
        model = fit(input, seed=seed)
    model.save(output)
    console.print(f"Wrote {output} (prior {model.prior:.3g})")


@dedup_app.command("evaluate")
def evaluate_command(
    input: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Interchange CSV.")
    ] = None,
    truth: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="True pairs CSV.")
    ] = None,
    febrl: Annotated[bool, typer.Option(help="Also score FEBRL3 and FEBRL4.")] = False,
    model: Annotated[Path | None, typer.Option(help="Default: the shipped model.")] = None,
    duplicate_at: Duplicate = 0.95,
    review_at: Review = 0.05,
) -> None:
    """Precision, recall and F1 against known truth: a synthetic truth file, FEBRL3/4, or both."""
    if (input is None) != (truth is None):
        raise typer.BadParameter("--input and --truth go together")
    if input is None and not febrl:
        raise typer.BadParameter("give --input and --truth, or --febrl, or both")
    if febrl:
        for name, run in (("FEBRL3 (dedup)", febrl3), ("FEBRL4 (link A to B)", febrl4)):
            with console.status(f"Fitting and scoring {name}"):
                linked = run()
            s = linked.scores
            console.print(
                f"{name}: {s.true_pairs} true pairs, {linked.compared} pairs compared; "
                f"precision {s.precision:.4f}, recall {s.recall:.4f}, F1 {s.f1:.4f}"
            )
    if input is None or truth is None:
        return
    load_model(model)  # fail early on a bad model file
    pairs_path = input.with_suffix(".pairs.csv")
    scan(
        input,
        pairs_path,
        errors=input.with_suffix(".errors.csv"),
        model_path=model,
        thresholds=Thresholds(duplicate_at, review_at),
    )
    result = score(read_truth(truth), [(a, b, d) for a, b, _, d in read_pairs(pairs_path)])
    console.print(
        f"synthetic: {result.true_pairs} true pairs; DUPLICATE precision "
        f"{result.duplicate_precision:.4f}; recall (DUPLICATE+REVIEW) {result.recall:.4f}; "
        f"decided without review {result.automatic:.4f}; F1 {result.f1:.4f}"
    )
