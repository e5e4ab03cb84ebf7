"""``lokos``: serve the API, migrate, seed demo data, mint development tokens, export the schema.

Typer gives typed options and ``--help`` for free; rich draws the progress bars.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import inspect, select

from cli.dedup import dedup_app, synth
from cli.shared import console, load_settings
from core.access import Role
from core.database import create_engine, session_factory
from core.migrations import upgrade
from core.settings import Settings
from hierarchy.demo import AlreadySeeded, DemoSummary, seed_demo
from hierarchy.models import GeoUnit
from identity.tokens import keyring_from_settings

app = typer.Typer(help="LokOS-style SHG platform back end.", no_args_is_help=True)
app.add_typer(dedup_app, name="dedup")
app.command()(synth)
DEFAULT_DEMO_MEMBERS = 2_000
_settings = load_settings


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _seed(settings: Settings, members: int, seed: int) -> DemoSummary:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        with Progress(
            TextColumn("Seeding members"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("members", total=members)
            return await seed_demo(
                session_factory(engine),
                members=members,
                seed=seed,
                keyring=keyring_from_settings(settings),
                progress=lambda done: bar.advance(task, done),
            )
    finally:
        await engine.dispose()


async def _is_empty(settings: Settings) -> bool:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            has_table = await connection.run_sync(lambda c: inspect(c).has_table("geo_unit"))
            if not has_table:
                return True
            return (await connection.scalar(select(GeoUnit.id).limit(1))) is None
    finally:
        await engine.dispose()


@app.command()
def migrate() -> None:
    """Bring the database (LOKOS_DATABASE_URL) up to the latest schema."""
    asyncio.run(_migrate(_settings()))
    console.print("Database is at the latest migration.")


@app.command("demo-data")
def demo_data(
    members: Annotated[
        int, typer.Option(min=1, help="How many members to seed.")
    ] = DEFAULT_DEMO_MEMBERS,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
) -> None:
    """Seed a synthetic hierarchy (4 states, CLFs, VOs, SHGs) holding MEMBERS members."""
    settings = _settings()
    try:
        summary = asyncio.run(_seed(settings, members, seed))
    except AlreadySeeded as error:
        console.print(f"[yellow]{error}[/yellow]")
        raise typer.Exit(1) from error
    console.print(
        f"Seeded {summary.states} states, {summary.districts} districts, {summary.blocks} blocks, "
        f"{summary.gram_panchayats} GPs, {summary.villages} villages; {summary.clfs} CLFs, "
        f"{summary.vos} VOs, {summary.shgs} SHGs and {summary.members} members."
    )


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="The caller's role.")] = Role.ADMIN,
    scope: Annotated[
        str, typer.Option(help="Code of the unit the caller works in; empty = national.")
    ] = "",
    subject: Annotated[
        str, typer.Option(help="Who the caller is (an id, not a name).")
    ] = "dev-user",
    hours: Annotated[int, typer.Option(min=1, max=24 * 30, help="Lifetime in hours.")] = 12,
) -> None:
    """Mint a development token signed with the local key (never in production)."""
    from datetime import timedelta

    from api.auth import mint_token

    settings = _settings()
    if settings.is_production:
        console.print(
            "[red]lokos token is for development; production tokens come from the IdP.[/red]"
        )
        raise typer.Exit(2)
    typer.echo(
        mint_token(
            settings, subject=subject, role=role, scope=scope, lifetime=timedelta(hours=hours)
        )
    )


@app.command("verify-card")
def verify_card_command(
    token: Annotated[str, typer.Argument(help="The card token (what the card's QR code holds).")],
    jwks: Annotated[
        Path | None,
        typer.Option(help="A saved /.well-known/jwks.json; default: this installation's own key."),
    ] = None,
    revocations: Annotated[
        Path | None,
        typer.Option(help="A saved /.well-known/card-revocations.json to check the card against."),
    ] = None,
) -> None:
    """Verify an ID card offline (signature, expiry, revocation) and print what it says."""
    import json

    from identity.cards import CardError, CardSigner, verify_card, verify_revocations

    keys = json.loads(jwks.read_text()) if jwks else CardSigner.from_settings(_settings()).jwks()
    try:
        revoked = (
            verify_revocations(json.loads(revocations.read_text())["signed"], keys)
            if revocations
            else None
        )
        claims = verify_card(token, keys, revoked)
    except (CardError, KeyError, ValueError) as error:
        console.print(f"[red]Not valid:[/red] {error}")
        raise typer.Exit(1) from error
    if revoked is None:
        console.print("[yellow]Not checked against a revocation list (--revocations).[/yellow]")
    typer.echo(json.dumps(claims, indent=2, ensure_ascii=False))


@app.command("export-schema")
def export_schema(
    output: Annotated[Path, typer.Option(help="Where to write the SDL.")] = Path("schema.graphql"),
) -> None:
    """Write the GraphQL schema (SDL) the code defines; a test keeps schema.graphql equal to it."""
    from api.schema import sdl

    output.write_text(sdl())
    console.print(f"Wrote {output}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo_members: Annotated[
        int, typer.Option(help="Members to seed when the embedded database is empty (0: none).")
    ] = DEFAULT_DEMO_MEMBERS,
) -> None:
    """Start the API. In development an empty database is migrated and seeded first."""
    import uvicorn

    from api.app import create_app
    from api.auth import mint_token

    settings = _settings()
    asyncio.run(_migrate(settings))
    if not settings.is_production and demo_members > 0 and asyncio.run(_is_empty(settings)):
        console.print(f"Empty database: seeding {demo_members} demo members.")
        asyncio.run(_seed(settings, demo_members, 7))
    if not settings.is_production:
        admin = mint_token(settings, subject="dev-admin", role=Role.ADMIN)
        console.print(f"\nGraphiQL: http://{host}:{port}/graphql")
        console.print("National admin token (paste as 'Authorization: Bearer <token>'):")
        console.print(admin, soft_wrap=True, highlight=False)
        console.print()
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=os.environ.get("LOKOS_LOG_LEVEL", "info"),
    )


if __name__ == "__main__":
    app()
