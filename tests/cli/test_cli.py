"""The lokos command: tokens the API accepts, deterministic demo data, schema export."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from api.auth import TokenVerifier
from cli.main import app
from core.settings import Settings

runner = CliRunner()


def _env(tmp_path: Path, name: str = "lokos.db") -> dict[str, str]:
    return {
        "LOKOS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / name}",
        "LOKOS_CONFIG_DIR": str(tmp_path / "config"),
        "LOKOS_ENV": "development",
    }


def test_token_is_accepted_by_the_verifier(tmp_path: Path) -> None:
    env = _env(tmp_path)
    result = runner.invoke(
        app, ["token", "--role", "bookkeeper", "--scope", "BL-1001", "--subject", "bk-1"], env=env
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    settings = Settings(config_dir=tmp_path / "config")
    claims = TokenVerifier.from_settings(settings).claims(token)
    assert (claims["sub"], claims["role"], claims["scope"]) == ("bk-1", "bookkeeper", "BL-1001")
    assert (tmp_path / "config" / "jwt-signing-key.pem").stat().st_mode & 0o077 == 0


def test_token_refuses_production(tmp_path: Path) -> None:
    env = {
        **_env(tmp_path),
        "LOKOS_ENV": "production",
        "LOKOS_JWT_JWKS_URL": "https://idp.example/jwks",
        "LOKOS_DATABASE_URL": "postgresql+asyncpg://db/lokos",
    }
    result = runner.invoke(app, ["token"], env=env)
    assert result.exit_code == 2


def _members(path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT member_id, name, relative_name, birth_year, mobile FROM member ORDER BY id"
        ).fetchall()


def test_demo_data_is_deterministic_and_refuses_a_second_run(tmp_path: Path) -> None:
    for name in ("a.db", "b.db"):
        result = runner.invoke(
            app, ["demo-data", "--members", "300", "--seed", "11"], env=_env(tmp_path, name)
        )
        assert result.exit_code == 0, result.output
        assert "300 members" in result.output
    assert _members(tmp_path / "a.db") == _members(tmp_path / "b.db")
    assert len(_members(tmp_path / "a.db")) == 300
    again = runner.invoke(app, ["demo-data", "--members", "10"], env=_env(tmp_path, "a.db"))
    assert again.exit_code == 1 and "empty" in again.output


def test_export_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    result = runner.invoke(app, ["export-schema", "--output", str(target)])
    assert result.exit_code == 0
    assert "type Shg" in target.read_text()


def test_migrate_creates_the_tables(tmp_path: Path) -> None:
    result = runner.invoke(app, ["migrate"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "lokos.db") as connection:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert {
        "geo_unit",
        "cbo",
        "member",
        "audit_event",
        "idempotency_record",
        "alembic_version",
    } <= tables


def test_verify_card_offline(tmp_path: Path) -> None:
    import json

    from identity.cards import CardSigner

    env = _env(tmp_path)
    signer = CardSigner.from_settings(Settings(config_dir=tmp_path / "config"))
    token = signer.sign({"sub": "52345678901", "name": "Kamla Devi", "aadhaar": "XXXX-XXXX-0124"})
    result = runner.invoke(app, ["verify-card", token], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sub"] == "52345678901"
    saved = tmp_path / "jwks.json"
    saved.write_text(json.dumps(signer.jwks()))
    assert runner.invoke(app, ["verify-card", token, "--jwks", str(saved)], env=env).exit_code == 0
    stranger = CardSigner.from_settings(Settings(config_dir=tmp_path / "other"))
    forged = stranger.sign({"sub": "52345678901"})
    refused = runner.invoke(app, ["verify-card", forged], env=env)
    assert refused.exit_code == 1 and "Not valid" in refused.output
    revocations = tmp_path / "card-revocations.json"
    revocations.write_text(json.dumps({"signed": signer.revocations([])}))
    listed = ["verify-card", token, "--revocations", str(revocations)]
    assert runner.invoke(app, listed, env=env).exit_code == 0
    jti = json.loads(result.stdout)["jti"]
    revocations.write_text(json.dumps({"signed": signer.revocations([jti])}))
    revoked = runner.invoke(app, listed, env=env)
    assert revoked.exit_code == 1 and "revoked" in revoked.output


def test_dedup_evaluate_scores_synthetic_data_and_refuses_half_its_inputs(tmp_path: Path) -> None:
    members, truth = tmp_path / "m.csv", tmp_path / "t.csv"
    made = runner.invoke(
        app,
        [
            "synth",
            "--members",
            "2000",
            "--seed",
            "5",
            "--output",
            str(members),
            "--truth",
            str(truth),
        ],
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(
        app, ["dedup", "evaluate", "--input", str(members), "--truth", str(truth)]
    )
    assert result.exit_code == 0, result.output
    assert "synthetic:" in result.stderr and "DUPLICATE precision" in result.stderr
    half = runner.invoke(app, ["dedup", "evaluate", "--input", str(members)])
    assert half.exit_code == 2
    assert runner.invoke(app, ["dedup", "evaluate"]).exit_code == 2


def test_dedup_sweep_digits_repairs_once_and_lists_who_must_give_numbers_again(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["demo-data", "--members", "50"], env=env).exit_code == 0
    with sqlite3.connect(tmp_path / "lokos.db") as connection:
        member_id, last4 = connection.execute(
            "SELECT member_id, bank_last4 FROM member WHERE bank_token IS NOT NULL ORDER BY id"
        ).fetchone()
        # As the release before ASCII digits stored an account typed in Devanagari.
        typed = last4.translate({ord("0") + d: 0x0966 + d for d in range(10)})
        connection.execute(
            "UPDATE member SET bank_last4 = ? WHERE member_id = ?", (typed, member_id)
        )
    listing = tmp_path / "again.csv"
    first = runner.invoke(app, ["dedup", "sweep-digits", "--output", str(listing)], env=env)
    assert first.exit_code == 0, first.output
    assert "1 members repaired; 1 must give" in first.output
    assert listing.read_text().splitlines() == ["member_id,give_again", f"{member_id},bank"]
    assert last4 not in first.output
    with sqlite3.connect(tmp_path / "lokos.db") as connection:
        assert connection.execute(
            "SELECT bank_last4, bank_token FROM member WHERE member_id = ?", (member_id,)
        ).fetchone() == (last4, None)
    second = runner.invoke(app, ["dedup", "sweep-digits"], env=env)
    assert second.exit_code == 0 and "0 members repaired" in second.output
