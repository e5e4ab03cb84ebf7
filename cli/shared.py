"""What every ``lokos`` command shares: the stderr console and settings from the environment."""

from __future__ import annotations

import typer
from rich.console import Console

from core.settings import ConfigurationError, Settings

console = Console(stderr=True)


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigurationError as error:
        console.print(f"[red]Configuration error:[/red] {error}")
        raise typer.Exit(2) from error
