#!/usr/bin/env python
"""Render nbs/index.ipynb to README.md without Quarto (nbconvert markdown; `#| hide`/export cells and directives
removed, `#| eval: false` cells kept: they are code for the reader, only not run by the tests). `--check` also fails
on an empty section: a heading, or an intro line ending in ':', followed directly by a heading or the end."""
import sys, re
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

root = Path(__file__).resolve().parent.parent

def _keep(c):
    if c.cell_type != 'code': return True
    return not re.search(r'^#\|\s*(hide|exporti?|default_exp)', c.source, flags=re.M)

def _clean(c):
    if c.cell_type == 'code':
        c.source = '\n'.join(l for l in c.source.split('\n') if not l.startswith('#|')).strip()
        c.outputs = []
    return c

def render():
    nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
    nb.cells = [_clean(c) for c in nb.cells if _keep(c)]
    nb.metadata['language_info'] = {'name': 'python'}   # code blocks fenced as ```python
    md,_ = MarkdownExporter().from_notebook_node(nb)
    md = md.replace('](figs/', '](nbs/figs/')
    return re.sub(r'\n{3,}', '\n\n', md).strip() + '\n'

def empty_sections(md:str)->list:
    "Headings and intro lines (ending in ':') of `md` followed by nothing but blank lines before a heading or the end."
    lines,fence,out = [],False,[]
    for l in md.split('\n'):
        if l.lstrip().startswith('```'): fence = not fence; lines.append(('code', l)); continue
        if fence: lines.append(('code', l)); continue
        if not l.strip(): continue
        lines.append(('head' if re.match(r'#{1,6}\s', l) else 'intro' if l.rstrip().endswith(':') else 'text', l))
    for (k,l),nxt in zip(lines, lines[1:]+[('end', '')]):
        if k in ('head', 'intro') and nxt[0] in ('head', 'end') and not (k == 'head' and nxt[0] == 'head' and
                                                                          _level(nxt[1]) > _level(l)): out.append(l)
    return out

def _level(l): return len(l) - len(l.lstrip('#'))

if __name__ == '__main__':
    out = root/'README.md'
    if '--check' in sys.argv:
        md = render()
        current = out.exists() and out.read_text(encoding='utf-8') == md
        empty = empty_sections(md)
        print('README.md is current' if current else 'README.md is out of date: run `python tools/make_readme.py`')
        for l in empty: print(f'README.md: empty section: {l!r} (nothing under it; check nbs/index.ipynb)')
        sys.exit(0 if current and not empty else 1)
    out.write_text(render(), encoding='utf-8'); print(f'wrote {out}')
