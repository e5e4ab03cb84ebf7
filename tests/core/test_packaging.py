"""An installed lokos migrates without a checkout: the wheel carries the migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core import migrations
from core.database import create_engine

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_every_migration(tmp_path: Path) -> None:
    subprocess.run(  # noqa: S603  # this interpreter's pip on this checkout
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("lokos-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"lokos_migrations/versions/{p.name}" for p in (ROOT / "alembic/versions").glob("*.py")
    }
    assert shipped and shipped <= names
    assert {"lokos_migrations/env.py", "lokos_migrations/script.py.mako"} <= names
    assert not any(name.startswith("alembic/") for name in names)  # never shadow the library


async def test_without_a_source_tree_the_installed_migrations_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrations, "PROJECT_ROOT", tmp_path)  # as in site-packages
    assert migrations.script_location() != tmp_path / "alembic"
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'installed.db'}")
    await migrations.upgrade(engine)
    async with engine.connect() as connection:
        version = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        assert (
            version.scalar()
            == sorted(p.name for p in (ROOT / "alembic/versions").glob("0*.py"))[-1][:4]
        )
    await engine.dispose()
