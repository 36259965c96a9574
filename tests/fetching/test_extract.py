"""extract(): metadata and text from pages fetched off the local test site, and from
hostile or broken input that must never raise."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.fetching.client import safe_fetch
from claims.fetching.extract import (
    EXTRACTOR_VERSION,
    MAX_TEXT,
    MAX_TITLE,
    Extracted,
    decode_text,
    extract,
)
from claims.fetching.guard import FetchPolicy, Outcome
from tests.fetching.conftest import (
    ARABIC_TITLE,
    ARTICLE_TITLE,
    PDF_TEXT,
    PDF_TITLE,
    PERSIAN_TITLE,
    make_pdf,
)

UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def fetched(base_url: str, path: str, policy: FetchPolicy) -> Extracted:
    result = safe_fetch(base_url + path, policy=policy)
    assert result.outcome == Outcome.OK, result.error
    return extract(result.body, result.content_type, result.final_url)


def html(head: str, body: str = "<p>Body text of a page.</p>") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def assert_safe(extracted: Extracted) -> None:
    for value in (
        extracted.title,
        extracted.site_name,
        extracted.description,
        extracted.text,
        *extracted.authors,
    ):
        assert value is None or not UNSAFE.search(value)
    assert extracted.text_sha256 == hashlib.sha256(extracted.text.encode()).hexdigest()


def test_version_is_a_string() -> None:
    assert isinstance(EXTRACTOR_VERSION, str)
    assert EXTRACTOR_VERSION


def test_full_article_prefers_json_ld_then_open_graph(base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, "/article", policy)

    assert extracted.title == ARTICLE_TITLE  # JSON-LD headline, not og:title or <title>
    assert extracted.site_name == "Levant Monitor"  # publisher via @id, not og:site_name "LM"
    assert extracted.authors == ["Rana Haddad", "Omid Karimi"]  # JSON-LD, not <meta name=author>
    assert extracted.published == "2024-04-02T09:30:00+03:00"
    assert extracted.modified == "2024-04-02T14:05:00+03:00"
    assert extracted.description is not None
    assert extracted.description.startswith("Several local outlets report")
    assert extracted.language == "en-GB"  # JSON-LD inLanguage over <html lang="en">
    assert extracted.canonical_url == f"{base_url}/news/2024/04/ghaffari-damascus"
    assert "arrived in the Syrian capital" in extracted.text.replace("\n", " ")
    assert "Copyright Levant Monitor" not in extracted.text
    assert_safe(extracted)


def test_excerpt_is_cut_on_a_word_boundary(base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, "/article", policy)

    assert 200 < len(extracted.excerpt) <= 301
    assert extracted.excerpt.endswith("…")
    words = extracted.excerpt.removesuffix("…").split()
    flat_text = " ".join(extracted.text.split())
    assert flat_text.startswith(" ".join(words))
    assert flat_text[len(" ".join(words))] == " "  # the last word is whole


def test_open_graph_is_used_without_json_ld(base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, "/og-only", policy)

    assert extracted.title == "Open Graph title wins over the title tag"
    assert extracted.site_name == "Graph Gazette"
    assert extracted.published == "2024-03-30"
    assert extracted.modified == "2024-03-31T10:00:00+00:00"
    assert extracted.language == "fr"
    assert extracted.canonical_url == "https://graph-gazette.example/story"
    assert extracted.authors == []


_DECLARED = (
    '<meta property="og:title" content="Declared title">'
    '<meta property="og:site_name" content="Gazette">'
    '<meta property="article:published_time" content="2024-05-01">'
    '<meta name="description" content="A plain meta description.">'
)
_BYLINE_BODY = (
    '<article><h1>Declared title</h1><p class="byline">By <span class="author">Sara Nouri'
    "</span></p><p>"
    + "A paragraph with enough words in it to be taken for the main text of the page. " * 5
    + "</p></article>"
)


def test_heuristics_fill_what_the_page_does_not_declare() -> None:
    # Title, site and date are declared but no author: trafilatura's heuristics still run
    # and read the byline.
    extracted = extract(html(_DECLARED, _BYLINE_BODY), "text/html", "https://gazette.example/a")

    assert extracted.authors == ["Sara Nouri"]
    assert (extracted.title, extracted.site_name, extracted.published) == (
        "Declared title",
        "Gazette",
        "2024-05-01",
    )
    assert extracted.description == "A plain meta description."  # <meta name=description>


def test_a_page_that_declares_everything_keeps_its_declarations() -> None:
    # With the author declared too, the heuristics are skipped: the result is the page's
    # own declarations and trafilatura's main text, as before.
    head = _DECLARED + '<meta name="author" content="Declared Author">'
    extracted = extract(html(head, _BYLINE_BODY), "text/html", "https://gazette.example/a")

    assert extracted.authors == ["Declared Author"]
    assert extracted.title == "Declared title"
    assert extracted.description == "A plain meta description."
    assert "A paragraph with enough words" in extracted.text


def test_page_without_metadata(base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, "/plain-page", policy)

    assert extracted.site_name is None  # not the host name trafilatura falls back to
    assert extracted.authors == []
    assert (extracted.published, extracted.modified, extracted.canonical_url) == (None, None, None)
    assert extracted.text.startswith("Just a paragraph of text with no metadata")
    assert extracted.excerpt == " ".join(extracted.text.split())


def test_malformed_page_does_not_raise(base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, "/malformed", policy)

    assert extracted.title is not None
    assert extracted.title.startswith("Broken")
    assert len(extracted.title) <= MAX_TITLE
    assert_safe(extracted)


@pytest.mark.parametrize("path", ["/arabic-meta", "/arabic-header", "/arabic-undeclared"])
def test_arabic_windows_1256_is_decoded(path: str, base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, path, policy)

    assert extracted.title == ARABIC_TITLE
    assert "دمشق" in extracted.text
    assert "الحرس الثوري" in extracted.text
    assert extracted.language == "ar"


def test_persian_utf8_keeps_the_zero_width_non_joiner(base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, "/persian", policy)

    assert extracted.title == PERSIAN_TITLE
    assert "گزارش\u200cها" in extracted.text
    assert "می\u200cگویند" in extracted.text
    assert extracted.language == "fa"


def test_pdf_text_and_metadata(base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, "/report.pdf", policy)

    assert extracted.title == PDF_TITLE
    assert extracted.authors == ["Verification Desk"]
    assert extracted.published == "2024-04-02T09:30:00+00:00"
    assert PDF_TEXT in extracted.text


@pytest.mark.parametrize("path", ["/broken.pdf", "/pixel.png", "/empty"])
def test_nothing_to_extract(path: str, base_url: str, policy: FetchPolicy) -> None:
    assert fetched(base_url, path, policy) == Extracted()


def test_json_and_plain_text_keep_their_text(base_url: str, policy: FetchPolicy) -> None:
    extracted = fetched(base_url, "/data.json", policy)

    assert extracted.title is None
    assert extracted.text == '{"claim": "\\u062f\\u0645\\u0634\\u0642"}'
    assert extract("غفاري".encode("cp1256"), "text/plain; charset=windows-1256", "").text == "غفاري"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("دمشق".encode("cp1256"), "text/html; charset=windows-1256", "دمشق"),
        ("دمشق".encode("cp1256"), 'text/html; charset="CP1256"', "دمشق"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            + "دمشق".encode("cp1256"),
            "text/html",
            "دمشق",
        ),
        (b"\xef\xbb\xbf" + "دمشق".encode(), "text/html; charset=windows-1256", "دمشق"),  # BOM wins
        (
            b"\x93quoted\x94",
            "text/html; charset=iso-8859-1",
            "\u201cquoted\u201d",
        ),  # read as windows-1252
        ("دمشق".encode(), "text/html; charset=no-such-charset", "دمشق"),
        (
            b'<?xml version="1.0" encoding="windows-1256"?>' + "دمشق".encode("cp1256"),
            "application/xhtml+xml",
            "دمشق",
        ),
    ],
)
def test_charset_choice(body: bytes, content_type: str, expected: str) -> None:
    assert expected in decode_text(body, content_type)


@pytest.mark.parametrize(
    "charset", ["zlib", "hex", "rot13", "idna", "undefined", "unicode_escape", "utf-7", "punycode"]
)
def test_python_only_codecs_are_not_taken_from_the_page(charset: str) -> None:
    body = "دمشق \\u0041 +AGEAYg-".encode()

    from_header = decode_text(body, f"text/html; charset={charset}")
    from_meta = decode_text(f'<meta charset="{charset}">'.encode() + body, "text/html")

    assert from_header == body.decode()  # not a declared charset: valid UTF-8 wins
    assert from_meta.endswith(body.decode())


def test_utf8_cut_inside_a_character_is_still_utf8() -> None:
    body = ("دمشق " * 10).encode()[:-1]

    assert decode_text(body, "text/html").startswith("دمشق دمشق")


@pytest.mark.parametrize(
    ("head", "field", "expected"),
    [
        (
            (
                '<script type="application/ld+json">[{"@type": ["ReportageNewsArticle"], "headline": "List form",'
                ' "author": "Plain String Author", "publisher": [{"@type": "Organization", "name": "Desk"}]}]</script>'
            ),
            "title authors site_name",
            ("List form", ["Plain String Author"], "Desk"),
        ),
        (
            (
                '<script type="application/ld+json">{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle",'
                ' "headline": "Nested", "datePublished": "2024-05-06", "inLanguage": {"name": "fa"}}}</script>'
            ),
            "title published language",
            ("Nested", "2024-05-06", "fa"),
        ),
        (
            (
                '<script type="application/ld+json">{"@type": "http://schema.org/Article", "headline": "Full type IRI",'
                ' "author": [{"name": "A"}, {"name": "a"}, {"name": "https://example.org/profile"}]}</script>'
            ),
            "title authors",
            ("Full type IRI", ["A"]),
        ),
        (
            (
                '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bad date",'
                ' "datePublished": "last Tuesday"}</script><meta property="article:published_time" content="2024-01-02">'
            ),
            "title published",
            ("Bad date", "2024-01-02"),
        ),
        (
            (
                '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
                '<meta property="og:title" content="Falls back to Open Graph">'
            ),
            "title",
            ("Falls back to Open Graph",),
        ),
        (
            '<meta property="og:title" content="Evil\u202etxt.exe\x07 title">',
            "title",
            ("Eviltxt.exe title",),
        ),
        (
            '<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="/relative/og">',
            "canonical_url",
            ("https://news.example/relative/og",),
        ),
    ],
)
def test_metadata_variants(head: str, field: str, expected: tuple[object, ...]) -> None:
    extracted = extract(html(head), "text/html", "https://news.example/story")

    assert tuple(getattr(extracted, name) for name in field.split()) == expected


def test_fields_are_capped() -> None:
    long_title = extract(
        html(f'<meta property="og:title" content="{"word " * 400}">'), "text/html", ""
    )
    long_text = extract(("word " * 60_000).encode(), "text/plain", "")

    assert long_title.title is not None
    assert len(long_title.title) <= MAX_TITLE
    assert len(long_text.text) <= MAX_TEXT


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"\x00\x01\x02",
        b"<<<>>>",
        b"<html>",
        b"\xff\xfe\xfd" * 50,
        b"<p>only a fragment</p>",
        b"]]>",
    ],
)
@pytest.mark.parametrize(
    "content_type", ["text/html", "application/xhtml+xml", "application/pdf", "image/webp", ""]
)
def test_junk_never_raises(body: bytes, content_type: str) -> None:
    assert_safe(extract(body, content_type, "https://news.example/x"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(["text/html", "application/pdf", "text/plain"]))
def test_arbitrary_bytes_never_raise(body: bytes, content_type: str) -> None:
    assert_safe(extract(body, content_type, "https://news.example/x"))


def test_pdf_pages_are_capped_and_broken_pdfs_are_empty() -> None:
    pdf = make_pdf("Only page", "A title")

    assert extract(pdf, "application/pdf", "").text == "Only page"
    assert extract(pdf[: len(pdf) // 2], "application/pdf", "").title in (None, "A title")


def test_extraction_never_fetches_anything(
    counter_port: int, connections: Callable[[], int]
) -> None:
    remote = f"http://127.0.0.1:{counter_port}"
    page = (
        f'<!DOCTYPE html SYSTEM "{remote}/doctype.dtd"><html><head>'
        f'<link rel="stylesheet" href="{remote}/style.css"><script src="{remote}/app.js"></script>'
        f'<meta http-equiv="refresh" content="0; url={remote}/refresh">'
        f'<link rel="canonical" href="{remote}/canonical"></head><body>'
        f'<img src="{remote}/pixel.png"><iframe src="{remote}/frame"></iframe>'
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{remote}/include"/>'
        "<p>Text that stays on this machine while the extractor reads it.</p></body></html>"
    ).encode()
    before = connections()

    extracted = extract(page, "text/html", "https://news.example/x")

    assert extracted.canonical_url == f"{remote}/canonical"  # read as text, never visited
    assert connections() == before
