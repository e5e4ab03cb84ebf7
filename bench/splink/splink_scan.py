"""The Splink 5 baseline: unsupervised dedup of an interchange CSV on DuckDB.

Run in its own virtual environment (Splink is not a dependency of lokos):

    python3 -m venv /work/splink-venv
    /work/splink-venv/bin/pip install -r bench/splink/requirements.txt
    /work/splink-venv/bin/python bench/splink/splink_scan.py --input m.csv --output p.csv

Configured as a careful Splink user would for this data, with DuckDB SQL
doing what preprocessing Splink users do (lower case, punctuation,
honorifics, "X W/o Y" split into name and relative); it cannot transliterate
Devanagari. Comparisons: Splink's NameComparison with term-frequency
adjustment on given name and surname, Jaro–Winkler on the relative's name,
birth date/year closeness, exact mobile, Aadhaar and account, and village /
GP / block. The prediction blocking rules are the lokos engine's key
families in Splink's terms. u by random sampling (10M pairs), the prior from
deterministic rules, m by EM on name + block and on the identity numbers
(EM on a mobile block learns "same household" as the match class).

Writes ``member_ref_l, member_ref_r, match_probability`` for every pair at
or above ``--min-prob``, so precision and recall can be read at any higher
threshold, and prints a JSON line of stage timings.
"""

from __future__ import annotations

import argparse
import json
import logging
import time

import duckdb
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# Keep letters (\p{L}) and combining marks (\p{M}: Devanagari vowel signs).
NORM = (
    "trim(regexp_replace(regexp_replace(lower({c}), '[^\\p{{L}}\\p{{M}}\\s]', ' ', 'g'),"
    " '\\s+', ' ', 'g'))"
)

PREP_SQL = r"""
CREATE TABLE raw AS SELECT * FROM read_csv(?, header=true, all_varchar=true);

CREATE TABLE prep0 AS
SELECT
  member_ref, block_code, gp_code, village_code, mobile, aadhaar, bank_account,
  regexp_replace(lower(name), '\s+[wdsc]\s*/\s*o\b.*$', '') AS name_part,
  nullif(regexp_extract(lower(name), '\s[wdsc]\s*/\s*o\s+(.*)$', 1), '') AS rel_from_name,
  lower(relative_name) AS relative_name,
  try_cast(birth_date AS DATE) AS birth_date,
  coalesce(year(try_cast(birth_date AS DATE)), try_cast(birth_year AS INTEGER)) AS birth_year
FROM raw;

CREATE TABLE prep1 AS
SELECT *,
  trim(regexp_replace({norm_name}, '^(smt|shrimati|shreemati|srimati|mrs|ms|km)\s+', ''))
    AS name_clean,
  nullif({norm_rel}, '') AS relative_clean
FROM prep0;

CREATE TABLE input_prep AS
SELECT
  member_ref, block_code, gp_code, village_code, mobile, aadhaar, bank_account,
  birth_date, birth_year,
  nullif(split_part(name_clean, ' ', 1), '') AS given_name,
  CASE WHEN len(string_split(name_clean, ' ')) > 1
       THEN string_split(name_clean, ' ')[-1] END AS surname,
  coalesce(relative_clean, nullif({norm_rel2}, '')) AS relative_name
FROM prep1;
"""

PREDICT_RULES = [
    block_on("given_name", "village_code"),
    block_on("birth_date", "block_code"),
    block_on("given_name", "birth_year", "block_code"),
    block_on("mobile"),
    block_on("aadhaar"),
    block_on("bank_account"),
]

EM_RULES = [
    block_on("given_name", "block_code"),
    block_on("aadhaar"),
    block_on("bank_account"),
]


def _settings() -> SettingsCreator:
    geo = cl.CustomComparison(
        output_column_name="geo",
        comparison_levels=[
            cll.NullLevel("block_code"),
            cll.ExactMatchLevel("village_code"),
            cll.ExactMatchLevel("gp_code"),
            cll.ExactMatchLevel("block_code"),
            cll.ElseLevel(),
        ],
        comparison_description="village / gp / block",
    )
    birth = cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("birth_date"),
            cll.ExactMatchLevel("birth_year"),
            cll.AbsoluteDifferenceLevel("birth_year", 1),
            cll.AbsoluteDifferenceLevel("birth_year", 3),
            cll.AbsoluteDifferenceLevel("birth_year", 6),
            cll.ElseLevel(),
        ],
        comparison_description="birth date / year closeness",
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="member_ref",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("relative_name", [0.95, 0.88, 0.75]),
            birth,
            cl.ExactMatch("mobile"),
            cl.ExactMatch("aadhaar"),
            cl.ExactMatch("bank_account"),
            geo,
        ],
        blocking_rules_to_generate_predictions=PREDICT_RULES,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True, help="pairs CSV to write")
    parser.add_argument("--min-prob", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    stamps: dict[str, float] = {}
    start = time.perf_counter()
    con = duckdb.connect(":memory:")
    # duckdb 2.0: a result left unfetched blocks Splink's next statement.
    con.execute(f"SET threads={int(args.threads)}").fetchall()
    prep = PREP_SQL.format(
        norm_name=NORM.format(c="name_part"),
        norm_rel=NORM.format(c="relative_name"),
        norm_rel2=NORM.format(c="rel_from_name"),
    )
    statements = [s for s in prep.split(";") if s.strip()]
    con.execute(statements[0], [args.input]).fetchall()
    for statement in statements[1:]:
        con.execute(statement).fetchall()
    for table in ("raw", "prep0", "prep1"):
        con.execute(f"DROP TABLE {table}").fetchall()
    stamps["load"] = time.perf_counter() - start

    members = DuckDBAPI(connection=con).register("input_prep", dataset_display_name="members")
    linker = Linker(members, _settings(), log_level=logging.WARNING)

    mark = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("aadhaar"),
            block_on("bank_account"),
            block_on("given_name", "surname", "birth_date", "village_code"),
        ],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=42)
    for rule in EM_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    stamps["train"] = time.perf_counter() - mark

    mark = time.perf_counter()
    predicted = linker.inference.predict(threshold_match_probability=args.min_prob)
    stamps["predict"] = time.perf_counter() - mark

    mark = time.perf_counter()
    # DuckDB's COPY takes no parameter for its target: the table name is
    # Splink's and the path our own command line, so there is nothing to inject.
    columns = "member_ref_l, member_ref_r, match_probability"
    copy = f"COPY (SELECT {columns} FROM {predicted.physical_name}) TO '{args.output}' (HEADER)"  # noqa: S608
    con.execute(copy).fetchall()
    stamps["write"] = time.perf_counter() - mark
    stamps["total"] = time.perf_counter() - start
    timings = {k: round(v, 1) for k, v in stamps.items()}
    print(json.dumps({"splink": splink.__version__, "duckdb": duckdb.__version__, **timings}))


if __name__ == "__main__":
    main()
