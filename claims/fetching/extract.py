"""Turn fetched bytes into the metadata and text an editor needs to cite a source.

HTML: decoded with the charset a browser would pick, parsed once with lxml, then read
from JSON-LD first, OpenGraph and meta tags second, trafilatura's heuristics last; the main
text comes from trafilatura. PDF: pypdf on the first pages. Images: nothing.

All input is untrusted: nothing is evaluated, nothing is fetched (trafilatura gets a
parsed tree, never a URL to download), control characters are stripped and every field is
capped.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree  # type: ignore[import-untyped]  # no lxml stubs in requirements/dev.txt
import lxml.html  # type: ignore[import-untyped]
import pypdf
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import detect_encoding

EXTRACTOR_VERSION = "2"  # bump when the output for the same input changes

MAX_TITLE = 500
MAX_TEXT = 200_000
MAX_DESCRIPTION = 2_000
MAX_SITE_NAME = 300
MAX_AUTHOR = 200
MAX_AUTHORS = 20
MAX_URL = 2_048
EXCERPT_LENGTH = 300
MAX_PDF_PAGES = 20
MAX_HTML_BYTES = 5 * 1024 * 1024  # more than any article; bounds lxml and trafilatura time
_MAX_JSON_LD = 1024 * 1024
_MAX_JSON_LD_SCRIPTS = 20
_SNIFF_BYTES = 4096

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_TYPES = frozenset({"text/plain", "application/json", "application/ld+json"})
_ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "ReportageNews",
        "AnalysisNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ScholarlyArticle",
        "SocialMediaPosting",
    }
)
# Labels browsers read differently from Python's codec of the same name (WHATWG Encoding).
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
}
# Text codecs no browser offers for pages (utf-7 was an XSS vector; the rest are Python's).
_REFUSED_CODECS = frozenset(
    {"utf-7", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"}
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
_WHITESPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Control characters (but tab and newline), lone surrogates, non-characters, and the bidi
# embeddings, overrides and isolates that can make a title display as something else.
_UNSAFE_CHARS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]"
)
# trafilatura drops non-printable characters, among them the zero-width non-joiner that
# Persian spelling needs (می‌گویند). It rides through extraction as a printable stand-in.
_ZWNJ = "\u200c"
_ZWNJ_STAND_IN = "\ufffc"


@dataclass(frozen=True)
class Extracted:
    title: str | None = None
    site_name: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601 date or date-time
    modified: str | None = None
    description: str | None = None
    language: str | None = None  # BCP 47 tag as declared: "ar", "fa-IR"
    canonical_url: str | None = None
    text: str = ""
    excerpt: str = ""
    text_sha256: str = field(default_factory=lambda: hashlib.sha256(b"").hexdigest())


def extract(body: bytes, content_type: str, url: str) -> Extracted:
    """Metadata and main text of a fetched document. Never raises on bad content."""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type in _HTML_TYPES:
        return _extract_html(body, content_type, url)
    if media_type == "application/pdf":
        return _extract_pdf(body)
    if media_type in _TEXT_TYPES:
        return _with_text(Extracted(), decode_text(body, content_type, sniff_meta=False))
    return Extracted()


_WARM_UP_PAGE = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Warm-up</title><meta property="og:site_name" content="Warm-up"></head>
<body><article><h1>Warm-up</h1><p>A page the worker reads when it starts, so that
trafilatura loads its tables before real fetches arrive in parallel.</p></article>
</body></html>"""


def warm_up() -> None:
    """Load trafilatura's lazily built tables once, at worker start.

    Without this, the first fetches that arrive together each build them at the same time
    (nothing in those libraries holds a lock): the public suffix list alone took 12 % of a
    busy worker's CPU. One extraction loads the extractor's own tables; the suffix list,
    which trafilatura reads only for some URLs, is loaded through the library that keeps it
    (tld, used by trafilatura's courlan)."""
    extract(_WARM_UP_PAGE, "text/html; charset=utf-8", "https://www.example.com/warm-up")
    try:
        from tld import get_tld
    except ImportError:  # a later trafilatura without tld: nothing of it to load
        return
    get_tld("https://www.example.com/", fail_silently=True)


def decode_text(body: bytes, content_type: str, *, sniff_meta: bool = True) -> str:
    """Decode like a browser: BOM, then the Content-Type charset, then <meta charset>,
    then UTF-8 if valid, then charset detection, then windows-1256 (Arabic/Persian)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    declared = _codec(_first_group(_CHARSET_PARAM, content_type))
    if declared is None and sniff_meta:
        head = body[:_SNIFF_BYTES]
        declared = _codec(
            _first_bytes_group(_XML_ENCODING, head) or _first_bytes_group(_META_CHARSET, head)
        )
        if declared is not None and declared.startswith("utf-16"):
            declared = "utf-8"  # a tag readable as ASCII cannot be in UTF-16 (WHATWG rule)
    if declared is not None:
        return body.decode(declared, errors="replace")
    try:  # incremental: a body cut at the size cap may end inside a character
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        pass
    guesses = detect_encoding(body[:200_000])
    if "cp1256" in guesses or "windows-1256" in guesses:
        return body.decode("cp1256", errors="replace")
    for guess in guesses:
        if _codec(guess) is None:
            continue
        try:
            return body.decode(guess)
        except (LookupError, UnicodeError):
            continue
    return body.decode("cp1256", errors="replace")


def _first_group(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _first_bytes_group(pattern: re.Pattern[bytes], data: bytes) -> str | None:
    match = pattern.search(data)
    return match.group(1).decode("ascii") if match else None


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label; None if unknown or not a plain text encoding
    (Python also has codecs like zlib, idna or unicode_escape that no page may ask for)."""
    if not label:
        return None
    label = label.strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
        b"ok".decode(info.name, errors="replace")  # refuses bytes-to-bytes and strict-only codecs
    except (LookupError, UnicodeError):
        return None
    if info.name in _REFUSED_CODECS:
        return None
    return info.name


def _extract_html(body: bytes, content_type: str, url: str) -> Extracted:
    markup = _UNSAFE_CHARS.sub("", decode_text(body[:MAX_HTML_BYTES], content_type))
    markup = _XML_DECLARATION.sub("", markup, count=1)
    markup = markup.replace(_ZWNJ_STAND_IN, "").replace(_ZWNJ, _ZWNJ_STAND_IN)
    if not markup.strip():
        return Extracted()
    parser = lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True
    )
    try:
        tree = lxml.html.document_fromstring(markup, parser=parser)
    except (lxml.etree.LxmlError, ValueError):
        return Extracted()
    ld = _json_ld_article(tree)
    meta = _meta_tags(tree)
    title = _first_clean(MAX_TITLE, ld.get("title"), meta.get("og:title"))
    site_name = _first_clean(MAX_SITE_NAME, ld.get("site_name"), meta.get("og:site_name"))
    authors = _authors(ld.get("authors"), _meta_authors(meta))
    published = _first_date(ld.get("published"), meta.get("article:published_time"))
    # trafilatura's metadata heuristics only fill what the page does not declare; when it
    # declares all of it, they are skipped (a third of the extraction time).
    declared_all = bool(title and site_name and authors and published)
    document = _trafilatura(tree, url, with_metadata=not declared_all)
    site_guess = document.sitename
    if site_guess and _is_host_of(site_guess, url):
        site_guess = None  # trafilatura fell back to the URL's host: not a declared name

    extracted = Extracted(
        title=title or _first_clean(MAX_TITLE, document.title),
        site_name=site_name or _first_clean(MAX_SITE_NAME, site_guess),
        authors=authors or _authors(_split_authors(document.author)),
        published=published or _first_date(document.date),
        modified=_first_date(
            ld.get("modified"), meta.get("article:modified_time"), meta.get("og:updated_time")
        ),
        description=_first_clean(
            MAX_DESCRIPTION,
            ld.get("description"),
            meta.get("og:description"),
            meta.get("description"),
            document.description,
        ),
        language=_first_language(
            ld.get("language"),
            tree.get("lang"),
            tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
            meta.get("og:locale"),
            meta.get("content-language"),
            document.language,
        ),
        canonical_url=_first_url(url, _canonical_link(tree), meta.get("og:url"), ld.get("url")),
    )
    return _with_text(extracted, document.text or _visible_text(tree))


def _is_host_of(name: str, url: str) -> bool:
    try:
        parts = urlsplit(url)
        hosts = {
            (parts.hostname or "").removeprefix("www."),
            parts.netloc.lower().removeprefix("www."),
        }
    except ValueError:
        return False
    return name.strip().lower().removeprefix("www.") in hosts


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    """All text of the body, for pages where trafilatura finds no main content."""
    body = tree.find("body")
    if body is None:
        return ""
    for element in body.xpath(".//script | .//style | .//noscript | .//template"):
        element.drop_tree()
    return " ".join(body.text_content().split())


def _trafilatura(tree: lxml.html.HtmlElement, url: str, *, with_metadata: bool) -> Document:
    """trafilatura's main text and, if asked, its metadata; an empty Document when it finds
    nothing."""
    try:
        document = bare_extraction(
            tree,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            with_metadata=with_metadata,
            deduplicate=False,
            date_extraction_params=_date_params(),
        )
        if isinstance(document, Document):
            return document
        if not with_metadata:
            return Document()
        return extract_metadata(tree, default_url=url, date_config=_date_params(), extensive=False)
    except Exception:  # heuristics over hostile markup; JSON-LD and meta tags still stand
        return Document()


def _date_params() -> dict[str, Any]:
    """Dates from markup, time elements and the URL only: htmldate's extensive search also
    guesses from any date-like text on the page, which is how wrong dates get cited."""
    return set_date_params(extensive=False)


def _with_text(extracted: Extracted, raw_text: str) -> Extracted:
    text = clean(raw_text, limit=MAX_TEXT, single_line=False) or ""
    return dataclasses.replace(
        extracted,
        text=text,
        excerpt=excerpt(text),
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def clean(value: object, *, limit: int | None, single_line: bool = True) -> str | None:
    """Untrusted text made safe to store and show: no control or bidi-override characters,
    whitespace collapsed (single_line) or blank-line runs squeezed, capped at `limit`."""
    if not isinstance(value, str):
        return None
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace(_ZWNJ_STAND_IN, _ZWNJ)
    text = _UNSAFE_CHARS.sub("", text)
    if single_line:
        text = _WHITESPACE.sub(" ", text).strip()
    else:
        lines = (line.strip() for line in text.split("\n"))
        text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip()
    return text or None


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The first `length` characters of `text`, cut on a word boundary."""
    flat = _WHITESPACE.sub(" ", text).strip()
    if len(flat) <= length:
        return flat
    cut = flat[:length]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def _first_clean(limit: int, *values: object) -> str | None:
    for value in values:
        text = clean(value, limit=limit)
        if text:
            return text
    return None


def _first_date(*values: object) -> str | None:
    for value in values:
        parsed = _iso_date(value)
        if parsed:
            return parsed
    return None


def _iso_date(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()[:40]
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _first_language(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str):
            tag = value.strip().replace("_", "-")[:35]
            if _LANGUAGE.fullmatch(tag):
                return tag
    return None


def _first_url(base: str, *values: object) -> str | None:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        candidate = value.strip()
        try:
            absolute = urljoin(base, candidate)
            parts = urlsplit(absolute)
        except ValueError:
            continue
        printable = all(char.isprintable() and not char.isspace() for char in absolute)
        if (
            parts.scheme in ("http", "https")
            and parts.hostname
            and len(absolute) <= MAX_URL
            and printable
        ):
            return absolute
    return None


def _authors(*sources: list[str] | None) -> list[str]:
    """The first source that names anyone, cleaned and de-duplicated."""
    for source in sources:
        names: list[str] = []
        for raw in source or []:
            name = clean(raw, limit=MAX_AUTHOR)
            if name and name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        if names:
            return names[:MAX_AUTHORS]
    return []


def _split_authors(value: str | None) -> list[str]:
    return [part for part in (value or "").split(";") if part.strip()]


def _meta_authors(meta: dict[str, str]) -> list[str]:
    names = [meta.get("article:author", ""), meta.get("author", "")]
    return [
        name
        for name in names
        if name.strip() and not name.strip().lower().startswith(("http://", "https://"))
    ]


# --- OpenGraph and meta tags -------------------------------------------------------


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """First value of each <meta property|name|http-equiv> (lowercased key)."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("http-equiv")
        content = element.get("content")
        if key and content and key.strip().lower() not in found:
            found[key.strip().lower()] = content
    return found


def _canonical_link(tree: lxml.html.HtmlElement) -> str | None:
    for element in tree.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split():
            return element.get("href")
    return None


# --- JSON-LD -----------------------------------------------------------------------


def _json_ld_article(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    """Fields of the first article-typed JSON-LD object: title, authors, published,
    modified, site_name, description, language, url."""
    nodes: list[dict[str, Any]] = []
    scripts = [
        element
        for element in tree.iter("script")
        if (element.get("type") or "").strip().lower().startswith("application/ld+json")
    ]
    for script in scripts[:_MAX_JSON_LD_SCRIPTS]:
        raw = script.text or ""
        if not raw.strip() or len(raw) > _MAX_JSON_LD:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        nodes.extend(_json_ld_nodes(data, depth=0))
    by_id = {
        node["@id"]: node
        for node in nodes
        if isinstance(node.get("@id"), str) and not _is_reference(node)  # not {"@id": ...} alone
    }
    article = next((node for node in nodes if _types(node) & _ARTICLE_TYPES), None)
    if article is None:
        return {}
    publisher = _resolve(article.get("publisher"), by_id)
    website = next((node for node in nodes if "WebSite" in _types(node)), None)
    main_entity = _resolve(article.get("mainEntityOfPage"), by_id)
    language = article.get("inLanguage")
    if isinstance(language, dict):
        language = language.get("alternateName") or language.get("name")
    publishers = _person_names(publisher, by_id)
    site_name = publishers[0] if publishers else None
    if site_name is None and website is not None:
        site_name = _text_value(website.get("name"))
    return {
        "title": _text_value(article.get("headline")) or _text_value(article.get("name")),
        "authors": _person_names(article.get("author"), by_id)
        or _person_names(article.get("creator"), by_id),
        "published": _text_value(article.get("datePublished")),
        "modified": _text_value(article.get("dateModified")),
        "site_name": site_name,
        "description": _text_value(article.get("description")),
        "language": language if isinstance(language, str) else None,
        "url": _text_value(article.get("url"))
        or (main_entity.get("@id") if isinstance(main_entity, dict) else _text_value(main_entity)),
    }


def _json_ld_nodes(data: object, depth: int) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object in a document: top level, lists, @graph, nested values."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data[:200]:
            yield from _json_ld_nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key, value in list(data.items())[:200]:
            if key == "@graph" or isinstance(value, dict | list):
                yield from _json_ld_nodes(value, depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {
        value.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for value in values if isinstance(value, str)
    }


def _is_reference(node: dict[str, Any]) -> bool:
    return set(node) <= {"@id", "@type"}


def _resolve(value: object, by_id: dict[str, dict[str, Any]]) -> object:
    """The full node for a {"@id": ...} reference (from an @graph), else the value itself."""
    if isinstance(value, dict) and _is_reference(value) and isinstance(value.get("@id"), str):
        return by_id.get(value["@id"], value)
    return value


def _text_value(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    return value if isinstance(value, str) else None


def _person_names(value: object, by_id: dict[str, dict[str, Any]]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:MAX_AUTHORS]:
        resolved = _resolve(item, by_id)
        if isinstance(resolved, str):
            names.append(resolved)
        elif isinstance(resolved, dict):
            name = _text_value(resolved.get("name"))
            if name:
                names.append(name)
    return [name for name in names if not name.strip().lower().startswith(("http://", "https://"))]


# --- PDF ---------------------------------------------------------------------------


def _extract_pdf(body: bytes) -> Extracted:
    try:
        reader = pypdf.PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return Extracted()
        metadata = reader.metadata
    except Exception:  # pypdf raises many exception types on hostile files
        return Extracted()
    title = author = published = None
    if metadata is not None:
        try:
            title, author = metadata.title, metadata.author
            created = metadata.creation_date
            published = created.isoformat() if created else None
        except Exception:  # noqa: S110 - a broken info dictionary just means no metadata
            pass
    pages: list[str] = []
    length = 0
    try:
        for page in reader.pages[:MAX_PDF_PAGES]:
            if length > MAX_TEXT:
                break
            try:
                page_text = page.extract_text()
            except Exception:  # noqa: S112 - skip a page pypdf cannot read
                continue
            pages.append(page_text)
            length += len(page_text)
    except Exception:  # noqa: S110 - a broken page tree ends extraction, keeping what was read
        pass
    extracted = Extracted(
        title=_first_clean(MAX_TITLE, title),
        authors=_authors(_split_authors(author if isinstance(author, str) else None)),
        published=published,
    )
    return _with_text(extracted, "\n\n".join(pages))
