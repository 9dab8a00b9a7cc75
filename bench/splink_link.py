#!/usr/bin/env python3
"""Splink, the reference tool, on the same lists as `homeward link`, prepared as a
competent Splink user would prepare them.

usage: splink_link.py febrl4|synth LEFT RIGHT OUT.csv

febrl4: the ten-field model of Splink's own FEBRL4 example (names with term-frequency
        adjustment, date of birth, social security number, address fields), blocking on
        given name, surname, date of birth and social security number.
synth:  (also the clerks' lists, which have the same columns and more)
        Cyrillic and Latin names romanised with `unidecode` (the usual generic library),
        the one-cell name of the right list split into tokens (first = surname,
        second = given name, third = patronymic, as the official order has it), dates read
        from DD.MM.YYYY or YYYY-MM-DD, year-only dates kept as a year; comparisons on surname, given
        name, patronymic (Jaro-Winkler levels with term frequencies), date of birth and
        unit; blocking on surname, on given name + birth year and on date of birth.
Writes OUT.csv with left_id,right_id,probability for pairs at probability >= 0.5 and
prints `compared=N`, the number of blocked pairs Splink scored.
"""
import sys

import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
import splink.comparison_library as cl
from unidecode import unidecode


def febrl4(left, right):
    a = pd.read_csv(left, dtype=str).rename(columns={"rec_id": "unique_id"})
    b = pd.read_csv(right, dtype=str).rename(columns={"rec_id": "unique_id"})
    for df in (a, b):
        df.fillna("", inplace=True)
        df.replace("", None, inplace=True)
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("address_2", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    train_rules = [block_on("given_name", "surname"), block_on("date_of_birth"), block_on("soc_sec_id")]
    return a, b, settings, train_rules


def latin(s):
    return unidecode(s).lower().strip() if isinstance(s, str) and s.strip() else None


def iso_date(s):
    if not isinstance(s, str) or not s.strip():
        return None, None
    s = s.strip()
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and s.replace("-", "").isdigit():
        return s, s[:4]
    parts = s.split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}", parts[2]
    if len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
        return None, parts[0]
    return None, None


def synth(left, right):
    a = pd.read_csv(left, dtype=str).fillna("")
    b = pd.read_csv(right, dtype=str).fillna("")
    la = pd.DataFrame({
        "unique_id": a["id"],
        "surname": a["прізвище"].map(latin),
        "given_name": a["ім'я"].map(latin),
        "patronymic": a["по батькові"].map(latin),
        "unit": a["військова частина"].map(latin),
    })
    dates = a["дата народження"].map(iso_date)
    la["dob"] = [d for d, _ in dates]
    la["birth_year"] = [y for _, y in dates]
    tokens = b["ФИО"].map(lambda s: (latin(s) or "").split())
    lb = pd.DataFrame({
        "unique_id": b["id"],
        "surname": tokens.map(lambda t: t[0] if len(t) > 0 else None),
        "given_name": tokens.map(lambda t: t[1] if len(t) > 1 else None),
        "patronymic": tokens.map(lambda t: t[2] if len(t) > 2 else None),
        "unit": b["воинская часть"].map(latin),
    })
    dates = b["дата рождения"].map(iso_date)
    lb["dob"] = [d for d, _ in dates]
    lb["birth_year"] = [y for _, y in dates]
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("patronymic"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("unit"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname"),
            block_on("given_name", "birth_year"),
            block_on("dob"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    train_rules = [block_on("surname"), block_on("dob")]
    return la, lb, settings, train_rules


def main():
    mode, left, right, out = sys.argv[1:5]
    a, b, settings, train_rules = (febrl4 if mode == "febrl4" else synth)(left, right)
    db = DuckDBAPI()
    linker = Linker([db.register(a, table_name="a"), db.register(b, table_name="b")], settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("surname", "given_name"), block_on("dob" if mode != "febrl4" else "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    for rule in train_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    compared = None
    try:
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        compared = blocked.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0]
    except Exception as e:  # the count is a report, not part of the linkage
        print(f"could not count blocked pairs: {e}", file=sys.stderr)
    pairs = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    print(f"compared={compared}")
    pairs[["unique_id_l", "unique_id_r", "match_probability"]].rename(
        columns={"unique_id_l": "left_id", "unique_id_r": "right_id", "match_probability": "probability"}
    ).to_csv(out, index=False)


if __name__ == "__main__":
    main()
