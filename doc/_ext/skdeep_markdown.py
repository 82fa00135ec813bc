"""A small Markdown reader for Sphinx, enough for ``doc/benchmarks.md``.

The benchmark page is written in Markdown (it is also read on GitHub), and the
documentation build must not depend on myst-parser. This parser understands
the subset such a page uses and builds docutils nodes directly, so no input
can produce a reStructuredText warning:

* ATX headings (``#`` to ``######``), which become nested sections;
* fenced code blocks (```` ``` ```` or ``~~~``, with an optional language);
* pipe tables (a header row, a ``|---|`` separator, body rows);
* bullet (``-``, ``*``, ``+``) and numbered (``1.``) lists, one level, with
  continuation lines;
* block quotes (``>``), horizontal rules, paragraphs;
* inline code, ``**strong**``, ``*emphasis*``/``_emphasis_``, links
  ``[text](url)`` and autolinks ``<https://...>``.

Anything else is kept as plain text.
"""

import re

from docutils import nodes
from docutils.parsers import Parser

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d+[.)]\s+(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_INLINE = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)"
    r"|\*\*(?P<strong>.+?)\*\*"
    r"|__(?P<strong2>.+?)__"
    r"|(?<![\w*])\*(?P<em>[^*\s][^*]*?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<em2>[^_\s][^_]*?)_(?![\w_])"
    r"|\[(?P<link_text>[^\]]+)\]\((?P<link_url>[^)\s]+)\)"
    r"|<(?P<autolink>https?://[^>\s]+)>"
)


def _inline(text):
    """Docutils inline nodes for one paragraph's text."""
    result, position = [], 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            result.append(nodes.Text(text[position : match.start()]))
        if match.group("code") is not None:
            code = match.group("code_text").strip()
            result.append(nodes.literal(code, code))
        elif match.group("strong") is not None or match.group("strong2") is not None:
            inner = match.group("strong") or match.group("strong2")
            result.append(nodes.strong("", "", *_inline(inner)))
        elif match.group("em") is not None or match.group("em2") is not None:
            inner = match.group("em") or match.group("em2")
            result.append(nodes.emphasis("", "", *_inline(inner)))
        elif match.group("link_text") is not None:
            url = match.group("link_url")
            result.append(nodes.reference("", "", *_inline(match.group("link_text")), refuri=url))
        else:
            url = match.group("autolink")
            result.append(nodes.reference(url, url, refuri=url))
        position = match.end()
    if position < len(text):
        result.append(nodes.Text(text[position:]))
    return result


def _split_row(line):
    cells = line.strip()
    if cells.startswith("|"):
        cells = cells[1:]
    if cells.endswith("|") and not cells.endswith("\\|"):
        cells = cells[:-1]
    # an escaped pipe stays in its cell
    parts = re.split(r"(?<!\\)\|", cells)
    return [part.strip().replace("\\|", "|") for part in parts]


def _table(header, rows):
    n_columns = max(len(header), *(len(row) for row in rows)) if rows else len(header)
    table = nodes.table()
    group = nodes.tgroup(cols=n_columns)
    table += group
    for _ in range(n_columns):
        group += nodes.colspec(colwidth=1)

    def make_row(cells):
        row = nodes.row()
        for k in range(n_columns):
            entry = nodes.entry()
            text = cells[k] if k < len(cells) else ""
            if text:
                entry += nodes.paragraph("", "", *_inline(text))
            row += entry
        return row

    head = nodes.thead()
    head += make_row(header)
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += make_row(cells)
    group += body
    return table


def _blocks(lines):
    """Parse block structure; yield ``("heading", level, text)`` or a node."""
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            yield ("heading", len(heading.group(1)), heading.group(2))
            i += 1
            continue
        fence = _FENCE.match(line.lstrip())
        if fence:
            marker, language = fence.group(1), fence.group(2)
            i += 1
            code = []
            while i < n and not lines[i].lstrip().startswith(marker):
                code.append(lines[i])
                i += 1
            i += 1  # closing fence (or end of file)
            text = "\n".join(code)
            block = nodes.literal_block(text, text)
            block["language"] = language or "text"
            yield block
            continue
        if (
            "|" in line
            and i + 1 < n
            and _TABLE_SEPARATOR.match(lines[i + 1])
            and "-" in lines[i + 1]
        ):
            header = _split_row(line)
            i += 2
            rows = []
            while i < n and lines[i].strip() and "|" in lines[i]:
                rows.append(_split_row(lines[i]))
                i += 1
            yield _table(header, rows)
            continue
        if _RULE.match(line):
            yield nodes.transition()
            i += 1
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            pattern = _BULLET if bullet else _NUMBERED
            items = []
            while i < n and lines[i].strip():
                item = pattern.match(lines[i])
                if item:
                    items.append(item.group(1))
                elif lines[i].startswith((" ", "\t")) and items:
                    items[-1] += " " + lines[i].strip()
                else:
                    break
                i += 1
            if bullet:
                listing = nodes.bullet_list(bullet="-")
            else:
                listing = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".")
            for text in items:
                listing += nodes.list_item("", nodes.paragraph("", "", *_inline(text)))
            yield listing
            continue
        if line.lstrip().startswith(">"):
            quoted = []
            while i < n and lines[i].lstrip().startswith(">"):
                quoted.append(lines[i].lstrip()[1:].strip())
                i += 1
            yield nodes.block_quote("", nodes.paragraph("", "", *_inline(" ".join(quoted))))
            continue
        paragraph = []
        while (
            i < n
            and lines[i].strip()
            and not _HEADING.match(lines[i])
            and not _FENCE.match(lines[i].lstrip())
            and not _BULLET.match(lines[i])
            and not _NUMBERED.match(lines[i])
            and not (i + 1 < n and "|" in lines[i] and _TABLE_SEPARATOR.match(lines[i + 1]))
        ):
            paragraph.append(lines[i].strip())
            i += 1
        if not paragraph:  # a line no rule consumed: keep it as text
            paragraph.append(lines[i].strip())
            i += 1
        yield nodes.paragraph("", "", *_inline(" ".join(paragraph)))


class MarkdownParser(Parser):
    """Parse the Markdown subset described in the module docstring."""

    supported = ("skdeep_markdown",)

    def parse(self, inputstring, document):
        """Fill ``document`` with the nodes of ``inputstring``.

        Parameters
        ----------
        inputstring : str
            The Markdown source.
        document : docutils.nodes.document
            The document to fill.
        """
        self.setup_parse(inputstring, document)
        # (level, node) stack of open sections; the document is level 0
        stack = [(0, document)]
        for block in _blocks(inputstring.splitlines()):
            if isinstance(block, tuple):
                _, level, text = block
                while stack[-1][0] >= level:
                    stack.pop()
                section = nodes.section()
                title = nodes.title(text, "", *_inline(text))
                section += title
                name = nodes.fully_normalize_name(title.astext())
                section["names"].append(name)
                document.note_implicit_target(section, section)
                parent = stack[-1][1]
                parent += section
                stack.append((level, section))
            else:
                parent = stack[-1][1]
                parent += block
        self.finish_parse()


def setup(app):
    """Register the parser for the ``skdeep_markdown`` file type.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The application.

    Returns
    -------
    metadata : dict
        Extension metadata.
    """
    app.add_source_parser(MarkdownParser)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
