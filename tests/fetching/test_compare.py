"""text_change: how much a page's main text changed between two fetches."""

from __future__ import annotations

from claims.fetching.compare import text_change

ARTICLE = "\n".join(
    f"Paragraph {n}: the ministry said on Tuesday that the convoy reached the border crossing "
    f"near the town, according to officials who spoke on condition of anonymity ({n})."
    for n in range(10)
)


def test_same_text_is_no_change() -> None:
    assert text_change(ARTICLE, ARTICLE).change == 0.0
    assert text_change("", "").change == 0.0


def test_whitespace_and_case_do_not_count() -> None:
    reflowed = "  ".join(ARTICLE.upper().split())
    assert text_change(ARTICLE, reflowed).change == 0.0


def test_a_one_word_edit_is_small() -> None:
    edited = ARTICLE.replace(
        "Paragraph 4: the ministry said on Tuesday", "Paragraph 4: the ministry said on Monday"
    )
    change = text_change(ARTICLE, edited)
    assert 0 < change.change < 0.1
    assert change.removed
    assert "Tuesday" in change.removed[0]
    assert change.added
    assert "Monday" in change.added[0]


def test_a_rewritten_half_is_large() -> None:
    lines = ARTICLE.splitlines()
    rewritten = "\n".join(
        [
            *lines[:5],
            *(f"Update {n}: officials now deny that any convoy moved at all." for n in range(5)),
        ]
    )
    assert text_change(ARTICLE, rewritten).change > 0.5


def test_unrelated_texts_are_a_full_change() -> None:
    assert (
        text_change(ARTICLE, "Something else entirely, about the weather in Tabriz today.").change
        == 1.0
    )
    assert text_change("", ARTICLE).change == 1.0
    assert text_change("short", "short").change == 0.0
