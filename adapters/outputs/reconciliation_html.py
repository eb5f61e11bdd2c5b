"""A printable HTML page of titled tables (the reconciliation report's), drawn by Jinja2: loaded
only here, every value escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class HtmlSection:
    title: str
    headings: tuple[tuple[str, bool], ...]  # each column's title, and whether it holds figures
    rows: tuple[tuple[str, ...], ...]  # the cells as shown


def page_html(title: str, meta: str, sections: Sequence[HtmlSection]) -> str:
    import jinja2

    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(TEMPLATE).render(title=title, meta=meta, sections=sections)


TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
  body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #111;
         margin: 2em auto; max-width: 84em; padding: 0 1em; }
  h1 { font-size: 16pt; margin-bottom: 0.2em; }
  h2 { font-size: 12pt; border-bottom: 1px solid #999; padding-bottom: 0.2em; margin-top: 1.6em; }
  p.meta { color: #444; margin-top: 0; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 0.5em; font-size: 9pt; }
  th, td { padding: 0.25em 0.45em; border-bottom: 1px solid #ddd; vertical-align: top;
           text-align: left; white-space: nowrap; }
  td:last-child { white-space: normal; }
  th { border-bottom: 1px solid #666; font-weight: bold; }
  td.number, th.number { text-align: right; font-variant-numeric: tabular-nums;
                         white-space: nowrap; }
  p.none { color: #555; font-style: italic; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
                 tr { break-inside: avoid; } }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">{{ meta }}</p>
{% for section in sections %}
<h2>{{ section.title }}</h2>
{% if section.rows %}
<table>
<thead><tr>
{%- for heading, number in section.headings %}
<th{% if number %} class="number"{% endif %}>{{ heading }}</th>
{%- endfor %}
</tr></thead>
<tbody>
{%- for row in section.rows %}
<tr>
{%- for cell in row %}
<td{% if section.headings[loop.index0][1] %} class="number"{% endif %}>{{ cell }}</td>
{%- endfor %}
</tr>
{%- endfor %}
</tbody>
</table>
{% else %}
<p class="none">None.</p>
{% endif %}
{% endfor %}
</body>
</html>
"""
