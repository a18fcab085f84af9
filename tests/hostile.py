"""The bad-input corpus: each case is a listing file and the outcome it must have. It is written
into a temporary folder by the tests (the 1 MB line is made, not stored)."""
from __future__ import annotations

from pathlib import Path

LONG_ABSTRACT = ("We study networks that learn. " * 12).strip()
HOSTILE_TITLES = [
    "<script>alert('title')</script> Attention Tricks",
    "<img src=x onerror=alert('img')> Image Models",
    "[Click me](javascript:alert('md')) and ![pic](http://evil.example/x.png) Links",
    "<!-- hidden --> Comment Networks {{ 7*7 }} {% raw %}",
    "--- front: matter --- Fences",
    "!!! warning \"Admonition\" Networks",
    "Attribute Lists {: .evil onclick=alert('attr') } and --8<-- \"secrets.txt\" Snippets",
    "Pipes | in | Titles and `code` and $math$ and # hashes and *stars* and _under_",
    "Null\x00Byte Zero\u200bWidth and \u202eRight-To-Left\u202c Title",
]
HOSTILE_ABSTRACT = ("<script>alert('abstract')</script> <img src=x onerror=alert(1)> "
                    "[x](javascript:alert(2)) {{ config }} {% include 'x' %} <!-- c --> | a | b | "
                    "!!! note --8<-- 'f' {: #id } " + LONG_ABSTRACT)

# (file name, content, expected): expected is ("page", title) or ("rejected", line, reason part),
# one per entry in the file, in order; ("merged", title) for a duplicate.
CASES: list[tuple[str, bytes, list[tuple]]] = [
    ("empty.txt", b"", [("rejected", 1, "empty file")]),
    ("binary.txt", b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\x03" * 200, [("rejected", 3, "binary")]),
    ("latin1.txt", f"Caf\u00e9 Networks\n\n{LONG_ABSTRACT}\n".encode("latin-1"),
     [("page", "Caf\u00e9 Networks")]),  # decoded (charset detection), with a warning
    ("bom.txt", "\ufeffBOM Networks\n\n".encode() + LONG_ABSTRACT.encode() + b"\n", [("page", "BOM Networks")]),
    ("crlf.txt", f"CRLF Networks\r\n\r\n{LONG_ABSTRACT}\r\n".encode(), [("page", "CRLF Networks")]),
    ("title-no-abstract.txt", f"Lonely Title\n\nFollowing Title\n\n{LONG_ABSTRACT}\n".encode(),
     [("rejected", 1, "no abstract"), ("page", "Following Title")]),
    ("abstract-no-title.txt", f"{LONG_ABSTRACT}\n\nGood Title\n\n{LONG_ABSTRACT}\n".encode(),
     [("rejected", 1, "no title"), ("page", "Good Title")]),
    ("huge-line.txt", b"Megabyte Abstract\n\n" + (b"word " * 210_000).strip() + b".\n",
     [("page", "Megabyte Abstract")]),
    ("long-title.txt", ("T" * 50_000 + "\n\n" + LONG_ABSTRACT + "\n").encode(),
     [("rejected", 1, "50,000 characters")]),
    ("hostile.txt", "".join(f"{t}\n\n{HOSTILE_ABSTRACT}\n\n" for t in HOSTILE_TITLES).encode(),
     [("page", t) for t in HOSTILE_TITLES]),
    ("duplicates.txt", (f"Duplicate Paper\n\n{LONG_ABSTRACT}\n\nduplicate  paper!\n\n"
                        f"{LONG_ABSTRACT} And a longer ending.\n").encode(),
     [("page", "Duplicate Paper"), ("merged", "Duplicate Paper")]),
    ("same-slug.txt", "".join(
        f"A Very Long Title About Scaling Laws For Neural Language Models And Their Many Consequences {end}\n\n"
        f"{LONG_ABSTRACT}\n\n" for end in ("Part One", "Part Two")).encode(),
     [("page", "A Very Long Title About Scaling Laws For Neural Language Models And Their Many Consequences Part One"),
      ("page", "A Very Long Title About Scaling Laws For Neural Language Models And Their Many Consequences Part Two")]),
]


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content, _ in CASES:
        (folder / name).write_bytes(content)
    return folder
