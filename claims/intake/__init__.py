"""Claim intake: turn a pasted article into scored, attributed claim candidates.

Pure Python (no Django, no model downloads); import the module you need:

- `claims.intake.sentences.split_sentences(text, language="en") -> list[Sentence]`
  sentences with exact offsets (``text[s.start:s.end] == s.text``).
- `claims.intake.scoring.extract_candidates(text, language="en") -> list[Candidate]`
  every sentence scored for check-worthiness, best first, with reasons, hedges,
  claimant and attribution chain; `score_sentence(sentence)` scores one sentence.
- `claims.intake.duplicates.find_similar(text, candidates, *, threshold, limit)` and
  `similarity(a, b)`: duplicate claims, with `DUPLICATE_THRESHOLD`.
- `claims.intake.normalize.normalize_text(s)` (matching key) and `detect_script(s)`.

The remaining modules are the heuristics behind them: `entities` (names from
capitalisation), `attribution` (who says so) and `lexicon` (the word lists).
Evaluation: ``.venv/bin/python bench/intake_eval.py``.
"""
