#!/usr/bin/env python3
"""Precision, recall and F1 of a pairs file against a truth file.

usage: f1.py PAIRS.csv TRUTH.csv [--unordered] [--clusters] [--classes]

Pairs and truth are CSV with a header; the first two columns are the ids. A pairs file
with a `decision` column (homeward link) counts only its `sure` rows: the others are the
review queue and the pairs that lost. `--clusters` reads `id,cluster_id` (homeward dedupe)
and takes every two records of a cluster as a pair; `--unordered` compares pairs as sets
(deduplication). `--classes` prints recall per variation class when the truth has a
`classes` column (homeward-clerks), one line per class after the summary.
"""
import csv
import sys
from collections import defaultdict
from itertools import combinations


def read_pairs(path, unordered=False):
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        decision = header.index("decision") if "decision" in header else None
        out = set()
        for r in rows:
            if decision is not None and r[decision] != "sure":
                continue
            x, y = r[0], r[1]
            out.add(tuple(sorted((x, y))) if unordered else (x, y))
        return out


def read_clusters(path):
    groups = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        for r in rows:
            groups[r[1]].append(r[0])
    return {tuple(sorted(p)) for ids in groups.values() for p in combinations(ids, 2)}


def read_classes(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        if "classes" not in header:
            return {}
        i = header.index("classes")
        return {(r[0], r[1]): r[i].split() for r in rows}


def main():
    pairs_path, truth_path = sys.argv[1], sys.argv[2]
    unordered = "--unordered" in sys.argv or "--clusters" in sys.argv
    found = read_clusters(pairs_path) if "--clusters" in sys.argv else read_pairs(pairs_path, unordered)
    truth = read_pairs(truth_path, unordered=unordered)
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"pairs={len(found)} true={len(truth)} tp={tp} precision={precision:.4f} recall={recall:.4f} f1={f1:.4f}")
    if "--classes" in sys.argv:
        per = defaultdict(lambda: [0, 0])
        for pair, classes in read_classes(truth_path).items():
            for c in classes:
                per[c][1] += 1
                per[c][0] += pair in found
        for c in sorted(per):
            hit, of = per[c]
            print(f"    {c:<24} recall={hit / of:.4f} ({hit} of {of})")


if __name__ == "__main__":
    main()
