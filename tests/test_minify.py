"""Lean HTML (generator.minify): the templates' indentation goes, what the page shows stays."""
from __future__ import annotations

import re

from generator.minify import squeeze


def test_runs_of_white_space_with_a_line_break_become_one_line_break():
    html = "<ul>\n    <li>\n      <a href=\"#x\">\n        One\n      </a>\n    </li>\n\n\n  </ul>\n  <p>a  b\tc</p>"
    assert squeeze(html) == "<ul>\n<li>\n<a href=\"#x\">\nOne\n</a>\n</li>\n</ul>\n<p>a  b\tc</p>"


def test_preformatted_text_scripts_and_styles_are_kept_as_they_are():
    kept = ["<pre><code>@misc{key,\n  title = {A},\n\n}\n</code></pre>",
            "<textarea>\n   two\n\n   lines</textarea>",
            '<script type="application/json">{"a":\n    1}</script>',
            "<SCRIPT>\n  if (a)\n    b();\n</SCRIPT>",
            "<style>\n  p { color: red; }\n</style>"]
    html = "\n    <div>\n      ".join(kept)
    out = squeeze(html)
    assert all(part in out for part in kept)
    assert out == "\n<div>\n".join(kept)


def test_what_a_browser_shows_is_unchanged_and_squeezing_twice_changes_nothing():
    html = ("<p>\n  Deep   <em>model</em>\n\n  assembling\n</p>\n   <pre>  a\n    b</pre>\n  <p>x</p>")
    out = squeeze(html)
    # outside pre, a browser shows every run of white space as one space
    shown = lambda h: re.sub(r"\s+", " ", re.sub(r"<pre>.*?</pre>", "", h, flags=re.S))
    assert shown(out) == shown(html)
    assert re.search(r"<pre>.*?</pre>", out, re.S)[0] == "<pre>  a\n    b</pre>"
    assert squeeze(out) == out and len(out) < len(html)
