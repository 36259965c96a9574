"""Sentence splitting with exact character offsets into the pasted text.

Sentence boundaries come from sentencex (Wikimedia's rule-based splitter, no model
download). This module adds what the claim-intake screen needs on top of it:

* every line break is a paragraph break (a headline or a caption is its own sentence,
  even without a full stop);
* offsets are exact: ``text[s.start:s.end] == s.text`` for every sentence, checked
  piece by piece, with a plain fallback if the splitter's offsets ever disagree;
* hyphenated military ranks ("Maj.-Gen.", "Lt.-Col.") and title abbreviations never end
  a sentence, and a piece that starts in lower case or with closing punctuation is glued
  back to the sentence before it;
* sentences are trimmed of surrounding whitespace, and pieces without a letter or digit
  ("***", "—") are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import sentencex


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its text and its [start, end) character offsets in the source."""

    text: str
    start: int
    end: int
    paragraph: int  # 0-based index of the non-blank line it sits on


# A run of characters that are not line breaks (the same breaks str.splitlines() uses).
_LINE_RE: Final = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")

# Titles that are followed by a name, never by the end of a sentence.
_TITLE_ABBREVIATION_RE: Final = re.compile(
    r"(?:^|[\s(\[\"'“‘])"
    r"(?:(?:[A-Z][a-z]{0,4}\.-)+[A-Z][a-z]{0,4}"  # Maj.-Gen., Lt.-Col., Brig.-Gen.
    r"|Gen|Col|Lt|Maj|Brig|Capt|Cpt|Adm|Sgt|Cpl|Pvt|Cmdr|Cdr|Gov|Sen|Rep|Dr|Mr|Mrs|Ms"
    r"|Mx|Prof|Insp|Supt|Rev|Hon|Pres|Amb|Det|Cllr|Fr|Sheikh|Sh)\.$"
)
_CONTINUATION_START: Final = frozenset(",;:)]}”’»")
_FALLBACK_SPLIT_RE: Final = re.compile(r"[^.!?؟۔…]*(?:[.!?؟۔…]+[\"'”’»)\]]*|$)\s*")


def split_sentences(text: str, language: str = "en") -> list[Sentence]:
    """Split `text` into sentences with exact offsets (see the module docstring).

    `language` is an ISO 639-1 code passed to sentencex ("en", "ar", "fa", ...);
    sentencex falls back to generic rules for codes it does not know.
    """
    sentences: list[Sentence] = []
    paragraph = 0
    for line_match in _LINE_RE.finditer(text):
        line, offset = line_match.group(), line_match.start()
        if line.isspace():
            continue
        for start, end in _merge_pieces(line, _split_line(line, language)):
            start, end = _trim(line, start, end)
            if start < end and any(char.isalnum() for char in line[start:end]):
                sentences.append(
                    Sentence(
                        text[offset + start : offset + end], offset + start, offset + end, paragraph
                    )
                )
        paragraph += 1
    return sentences


def _split_line(line: str, language: str) -> list[tuple[int, int]]:
    """Split one line into contiguous (start, end) pieces that cover it exactly."""
    try:
        boundaries = sentencex.get_sentence_boundaries(language, line)
    except Exception:
        boundaries = []
    pieces: list[tuple[int, int]] = []
    cursor = 0
    for boundary in boundaries:
        piece_text = str(boundary.get("text", ""))
        start, end = int(boundary["start_index"]), int(boundary["end_index"])
        if line[start:end] != piece_text or start < cursor:
            # Offsets disagree with the text (never seen, but the contract is ours to
            # keep): find the piece from where the previous one ended instead.
            found = line.find(piece_text, cursor) if piece_text else -1
            if found < 0:
                break
            start, end = found, found + len(piece_text)
        if start > cursor:  # a gap the splitter skipped: keep it as its own piece
            pieces.append((cursor, start))
        if end > start:
            pieces.append((start, end))
        cursor = end
    if cursor < len(line):
        # Whatever the splitter did not account for is split on terminal punctuation.
        for match in _FALLBACK_SPLIT_RE.finditer(line, cursor):
            if match.end() > match.start():
                pieces.append((match.start(), match.end()))
    return pieces


def _merge_pieces(line: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Glue pieces back together where the split was after a title or mid-sentence."""
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged and _continues(line[merged[-1][0] : merged[-1][1]], line[start:end]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _continues(previous: str, current: str) -> bool:
    """True if `current` is the rest of the sentence that `previous` started."""
    head = current.lstrip()
    if not head or not previous.strip():
        return True
    if _TITLE_ABBREVIATION_RE.search(previous.rstrip()):
        return True
    return head[0] in _CONTINUATION_START or head[0].islower()


def _trim(line: str, start: int, end: int) -> tuple[int, int]:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    return start, end
