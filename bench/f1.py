#!/usr/bin/env python3
"""Precision, recall and F1 of a pairs file against a truth file.

usage: f1.py PAIRS.csv TRUTH.csv [left_col right_col]
Pairs and truth are CSV with a header; the first two columns are the ids unless named.
Pairs are taken as unordered when the truth is a dedupe truth (same file on both sides).
"""
import csv
import sys


def read_pairs(path, a=None, b=None, unordered=False):
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        ia = header.index(a) if a else 0
        ib = header.index(b) if b else 1
        out = set()
        for r in rows:
            x, y = r[ia], r[ib]
            out.add(tuple(sorted((x, y))) if unordered else (x, y))
        return out


def main():
    pairs_path, truth_path = sys.argv[1], sys.argv[2]
    unordered = "--unordered" in sys.argv
    found = read_pairs(pairs_path, unordered=unordered)
    truth = read_pairs(truth_path, unordered=unordered)
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"pairs={len(found)} true={len(truth)} tp={tp} precision={precision:.4f} recall={recall:.4f} f1={f1:.4f}")


if __name__ == "__main__":
    main()
