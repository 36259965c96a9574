"""Evaluate the claim-intake engine against the hand-labelled set in bench/data/intake/.

    .venv/bin/python bench/intake_eval.py            # figures
    .venv/bin/python bench/intake_eval.py --errors   # and every misclassified sentence/pair
    .venv/bin/python bench/intake_eval.py --check    # exit 1 if a goal is missed

Pure Python, no Django. Figures: check-worthiness precision/recall/F1 per article and
overall, sentence-boundary agreement, claimant and attribution-chain accuracy, hedge
detection, duplicate-detection precision/recall, and extraction time for a
5,000-character article (cold first run in a fresh process, then median and p95).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from claims.intake.duplicates import DUPLICATE_THRESHOLD, similarity  # noqa: E402
from claims.intake.normalize import normalize_text  # noqa: E402
from claims.intake.scoring import Candidate, extract_candidates  # noqa: E402

DATA = ROOT / "bench" / "data" / "intake"
GOALS = {"recall": 0.9, "precision": 0.7, "duplicate_precision": 0.9, "median_ms": 50.0}
TIMING_CHARS = 5000
TIMING_RUNS = 50


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, expected: bool) -> None:
        if predicted and expected:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"P={self.precision:.2f} R={self.recall:.2f} F1={self.f1:.2f} "
            f"(tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn})"
        )


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, ok: bool, error: str) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.errors.append(error)

    def line(self) -> str:
        share = self.right / self.total if self.total else 1.0
        return f"{share:.2f} ({self.right}/{self.total})"


def same_source(predicted: str | None, expected: str | None, *, lenient: bool) -> bool:
    if predicted is None or expected is None:
        return predicted is expected
    a, b = normalize_text(predicted), normalize_text(expected)
    if not lenient:
        return a == b
    return a == b or f" {a} " in f" {b} " or f" {b} " in f" {a} "


def locate(text: str, sentences: list[dict[str, Any]]) -> list[tuple[int, int]]:
    spans = []
    cursor = 0
    for sentence in sentences:
        start = text.find(sentence["text"], cursor)
        if start < 0:
            raise SystemExit(f"labelled sentence not found in article text: {sentence['text']!r}")
        spans.append((start, start + len(sentence["text"])))
        cursor = start + len(sentence["text"])
    return spans


def best_overlap(candidates: list[Candidate], start: int, end: int) -> Candidate | None:
    best, best_overlap_chars = None, 0
    for candidate in candidates:
        overlap = min(end, candidate.end) - max(start, candidate.start)
        if overlap > best_overlap_chars:
            best, best_overlap_chars = candidate, overlap
    return best


def evaluate_articles(show_errors: bool) -> tuple[Counts, Tally]:
    articles = json.loads((DATA / "articles.json").read_text(encoding="utf-8"))["articles"]
    overall = Counts()
    by_split: dict[str, Counts] = {}
    hedge_counts = Counts()
    boundaries = Tally()
    claimant_strict, claimant_lenient = Tally(), Tally()
    claimant_attributed = Tally()
    chain_lenient = Tally()
    errors: list[str] = []
    print("Check-worthiness (threshold from claims.intake.scoring.CHECK_WORTHY_THRESHOLD)")
    for article in articles:
        text = article["text"]
        labels = article["sentences"]
        candidates = extract_candidates(text)
        counts = Counts()
        for label, (start, end) in zip(labels, locate(text, labels), strict=True):
            candidate = best_overlap(candidates, start, end)
            boundaries.add(
                candidate is not None and (candidate.start, candidate.end) == (start, end),
                f"boundary: {label['text'][:70]!r} -> {candidate.text[:70] if candidate else None!r}",
            )
            predicted = candidate is not None and candidate.check_worthy
            counts.add(predicted, label["check_worthy"])
            overall.add(predicted, label["check_worthy"])
            by_split.setdefault(article["split"], Counts()).add(predicted, label["check_worthy"])
            if predicted != label["check_worthy"]:
                kind = "FP" if predicted else "FN"
                score = f"{candidate.score:.2f}" if candidate else "-"
                reasons = "; ".join(candidate.reasons) if candidate else ""
                errors.append(f"{kind} {score} {label['text']}\n      [{reasons}]")
            hedged = candidate is not None and candidate.hedged
            hedge_counts.add(hedged, label["hedged"])
            if hedged != label["hedged"]:
                hedges = candidate.hedges if candidate else []
                errors.append(f"hedge {'FP' if hedged else 'FN'} {hedges} {label['text']}")
            claimant = candidate.claimant if candidate else None
            chain = candidate.attribution_chain if candidate else []
            message = f"claimant {claimant!r} chain {chain} expected {label['attribution_chain']}: {label['text'][:80]}"
            claimant_strict.add(same_source(claimant, label["claimant"], lenient=False), message)
            claimant_lenient.add(same_source(claimant, label["claimant"], lenient=True), message)
            if label["claimant"] is not None:
                claimant_attributed.add(
                    same_source(claimant, label["claimant"], lenient=True), message
                )
            chain_ok = len(chain) == len(label["attribution_chain"]) and all(
                same_source(a, b, lenient=True)
                for a, b in zip(chain, label["attribution_chain"], strict=False)
            )
            chain_lenient.add(chain_ok, message)
        print(f"  {article['id'] + ' (' + article['split'] + ')':<30} {counts.line()}")
    for split, split_counts in sorted(by_split.items()):
        print(f"  {'all ' + split:<30} {split_counts.line()}")
    print(f"  {'overall':<30} {overall.line()}")
    print()
    print(f"Sentence boundaries matching the labels: {boundaries.line()}")
    print("Claimant (original source; null when unattributed), all sentences:")
    print(
        f"  exact {claimant_strict.line()}   lenient (one contains the other) {claimant_lenient.line()}"
    )
    print(
        f"  on the {claimant_attributed.total} sentences with a labelled claimant (lenient): {claimant_attributed.line()}"
    )
    print(f"Attribution chain, every link matching (lenient): {chain_lenient.line()}")
    print(f"Hedged: {hedge_counts.line()}")
    if show_errors:
        print("\nErrors:")
        for error in (
            errors
            + boundaries.errors
            + sorted(set(claimant_lenient.errors) | set(chain_lenient.errors))
        ):
            print("  " + error)
    return overall, claimant_lenient


def evaluate_duplicates(show_errors: bool) -> Counts:
    pairs = json.loads((DATA / "duplicate_pairs.json").read_text(encoding="utf-8"))["pairs"]
    counts = Counts()
    by_kind: dict[str, Counts] = {}
    by_split: dict[str, Counts] = {}
    errors = []
    for pair in pairs:
        score = similarity(pair["a"], pair["b"])
        predicted = score >= DUPLICATE_THRESHOLD
        counts.add(predicted, pair["duplicate"])
        by_split.setdefault(pair["split"], Counts()).add(predicted, pair["duplicate"])
        by_kind.setdefault(pair["kind"], Counts()).add(predicted, pair["duplicate"])
        if predicted != pair["duplicate"]:
            errors.append(
                f"{'FP' if predicted else 'FN'} {score:.2f} [{pair['kind']}] {pair['a']} | {pair['b']}"
            )
    print()
    print(
        f"Duplicates ({len(pairs)} pairs, DUPLICATE_THRESHOLD={DUPLICATE_THRESHOLD}): {counts.line()}"
    )
    for split, split_counts in sorted(by_split.items()):
        print(f"  {'all ' + split:<15} {split_counts.line()}")
    for kind, kind_counts in sorted(by_kind.items()):
        right = kind_counts.tp + kind_counts.tn
        total = right + kind_counts.fp + kind_counts.fn
        print(f"  {kind:<15} {right}/{total} right")
    if show_errors:
        for error in errors:
            print("  " + error)
    return counts


def timing_text() -> str:
    articles = json.loads((DATA / "articles.json").read_text(encoding="utf-8"))["articles"]
    text = "\n".join(article["text"] for article in articles)
    while len(text) < TIMING_CHARS:
        text += "\n" + text
    return text[:TIMING_CHARS]


COLD_SNIPPET = """
import sys, time
sys.path.insert(0, {root!r})
started = time.perf_counter()
from claims.intake.scoring import extract_candidates
imported = time.perf_counter()
extract_candidates(sys.stdin.read())
finished = time.perf_counter()
print((imported - started) * 1000, (finished - imported) * 1000)
"""


def evaluate_timing() -> float:
    text = timing_text()
    cold = subprocess.run(
        [sys.executable, "-c", COLD_SNIPPET.format(root=str(ROOT))],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    import_ms, first_ms = (float(value) for value in cold.stdout.split())
    runs = []
    for _ in range(TIMING_RUNS):
        started = time.perf_counter()
        extract_candidates(text)
        runs.append((time.perf_counter() - started) * 1000)
    runs.sort()
    median = statistics.median(runs)
    p95 = runs[int(0.95 * (len(runs) - 1))]
    print()
    print(f"Extraction time, {len(text)}-character article ({TIMING_RUNS} warm runs):")
    print(f"  fresh process: import {import_ms:.1f} ms, first call {first_ms:.1f} ms")
    print(f"  warm: median {median:.2f} ms, p95 {p95:.2f} ms, max {runs[-1]:.2f} ms")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--errors", action="store_true", help="list every misclassified sentence and pair"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args()
    overall, _ = evaluate_articles(args.errors)
    duplicates = evaluate_duplicates(args.errors)
    median = evaluate_timing()
    missed = [
        name
        for name, ok in {
            "check-worthy recall": overall.recall >= GOALS["recall"],
            "check-worthy precision": overall.precision >= GOALS["precision"],
            "duplicate precision": duplicates.precision >= GOALS["duplicate_precision"],
            "median time": median < GOALS["median_ms"],
        }.items()
        if not ok
    ]
    print()
    print("Goals:", "all met" if not missed else "MISSED: " + ", ".join(missed))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
