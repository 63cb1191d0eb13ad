"""Write a report as one self-contained HTML file: inline CSS and images, every text escaped.

A Content-Security-Policy forbids loading anything from elsewhere: the file opens offline.
"""

from __future__ import annotations

import base64
import html

from strikemap.reports import document as doc

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""Nothing but the file's own styles and data-URI images may load."""
CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 10pt;
  line-height: 1.4; color: #222; margin: 0; background: #f4f4f4; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 2.5rem; background: #fff; }
h1.title { font-size: 1.9rem; margin: 0 0 0.8rem; }
h2 { font-size: 1.45rem; margin: 1.6rem 0 0.6rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.08rem; margin: 1.3rem 0 0.4rem; }
p.lead { font-size: 1.1rem; margin: 0.2rem 0; }
p.note, .refs { font-size: 0.82rem; color: #555; }
.numbers { display: flex; gap: 1.2rem; margin: 1rem 0; }
.numbers div { flex: 1; }
.numbers b { display: block; font-size: 2.2rem; color: #b2182b; line-height: 1.1; }
table { border-collapse: collapse; width: 100%; font-size: 0.8rem; margin: 0.4rem 0 0.8rem; }
th, td { text-align: left; vertical-align: top; padding: 0.2rem 0.3rem;
  border-bottom: 1px solid #ccc; overflow-wrap: anywhere; }
thead th { background: #eee; }
table.facts th { width: 20%; background: none; }
figure { margin: 0.8rem 0; } figure img { width: 100%; height: auto; }
figcaption { font-size: 0.8rem; color: #444; }
a { color: #1a4f9c; }
ol.refs { padding-left: 2rem; margin: 0.3rem 0 0.8rem; overflow-wrap: anywhere; }
.page-break { break-after: page; }
@media print { body { background: #fff; } main { max-width: none; padding: 0; }
  thead { display: table-header-group; } tr { break-inside: avoid; } }
"""


def report_html(report: doc.Report) -> str:
    """Return ``report`` as one self-contained HTML5 document."""
    body = "\n".join(_block(block) for block in report.blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="strikemap">\n'
        f"<title>{_esc(report.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f'{body}\n<footer><p class="note">{_esc(report.footer)}</p></footer>\n'
        "</main>\n</body>\n</html>\n"
    )


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _run(value: doc.Text) -> str:
    out = []
    for part in value:
        if isinstance(part, doc.Link):
            out.append(
                f'<a href="{_esc(part.url)}" rel="noopener noreferrer">{_esc(part.label)}</a>'
            )
        else:
            out.append(_esc(part))
    return "".join(out)


def _block(block: doc.Block) -> str:
    if isinstance(block, doc.Heading):
        tag = f"h{block.level + 1}"
        css = ' class="title"' if block.level == 0 else ""
        anchor = f' id="{_esc(block.anchor)}"' if block.anchor else ""
        return f"<{tag}{css}{anchor}>{_esc(block.text)}</{tag}>"
    if isinstance(block, doc.Paragraph):
        css = f' class="{block.style}"' if block.style != "body" else ""
        return f"<p{css}>{_run(block.text)}</p>"
    if isinstance(block, doc.Facts):
        rows = "".join(
            f'<tr><th scope="row">{_esc(label)}</th><td>{_run(value)}</td></tr>'
            for label, value in block.rows
        )
        return f'<table class="facts"><tbody>{rows}</tbody></table>'
    if isinstance(block, doc.Numbers):
        items = "".join(
            f"<div><b>{_esc(value)}</b>{_esc(label)}</div>" for value, label in block.items
        )
        return f'<div class="numbers">{items}</div>'
    if isinstance(block, doc.Table):
        return _table(block)
    if isinstance(block, doc.Figure):
        data = base64.b64encode(block.png).decode("ascii")
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{_esc(block.alt)}">'
            f"<figcaption>{_esc(block.caption)}</figcaption></figure>"
        )
    if isinstance(block, doc.References):
        items = "".join(_reference(publisher, url) for _, publisher, url in block.items)
        return f'<ol class="refs">{items}</ol>'
    if isinstance(block, doc.PageBreak):
        return '<div class="page-break"></div>'
    msg = f"unknown report block {type(block).__name__}"
    raise TypeError(msg)


def _table(block: doc.Table) -> str:
    widths = "".join(f'<col style="width:{100 * w:.1f}%">' for w in block.widths)
    head = "".join(f'<th scope="col">{_esc(c)}</th>' for c in block.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_run(cell)}</td>" for cell in row) + "</tr>" for row in block.rows
    )
    return (
        f"<table><colgroup>{widths}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _reference(publisher: str, source: str) -> str:
    if source.startswith(("http://", "https://")):
        link = _run((doc.Link(source, source),))
        return f"<li>{_esc(publisher)}: {link}</li>"
    return f"<li>{_esc(source)}</li>"
