#!/usr/bin/env python
"Render nbs/index.ipynb to README.md without Quarto (nbconvert markdown, nbdev directives and hidden cells removed)."
import sys, re, json
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

root = Path(__file__).resolve().parent.parent

def _keep(c):
    if c.cell_type != 'code': return True
    return not re.search(r'^#\|\s*(hide|exporti?|default_exp|eval:\s*false)', c.source, flags=re.M)

def _clean(c):
    if c.cell_type == 'code':
        c.source = '\n'.join(l for l in c.source.split('\n') if not l.startswith('#|')).strip()
        c.outputs = []
    return c

def render():
    nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
    nb.cells = [_clean(c) for c in nb.cells if _keep(c)]
    md,_ = MarkdownExporter().from_notebook_node(nb)
    md = md.replace('](figs/', '](nbs/figs/')
    return re.sub(r'\n{3,}', '\n\n', md).strip() + '\n'

if __name__ == '__main__':
    out = root/'README.md'
    if '--check' in sys.argv:
        ok = out.exists() and out.read_text(encoding='utf-8') == render()
        print('README.md is current' if ok else 'README.md is out of date: run `python tools/make_readme.py`')
        sys.exit(0 if ok else 1)
    out.write_text(render(), encoding='utf-8'); print(f'wrote {out}')
