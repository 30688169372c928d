#!/usr/bin/env python
"""Write `bench/levers.md`: one markdown row per lever in `bench/levers.json` measured on the full benchmark's fresh test
deck (the 534-capture test deck of the 254-name demo deck), then the playing-card subset runs (`--sets Playing`: 52 names, scored on the test deck's 106 playing cards);
rows from killed runs stay in the JSON only.

    python bench/levers_table.py
"""
import json
from pathlib import Path

HERE = Path(__file__).parent
SETS = ('Joker', 'Planet', 'Playing', 'Spectral', 'Tarot')
CAPS = ('1', '2', '3-5', '6+')

def _f(v): return '' if v is None else f'{v:.3f}'

def row(o):
    r = o['results']
    cells = [o['name'], _f(r['name_top1']), _f(r['name_top3'])]
    cells += [_f(r['by_captures'].get(k, {}).get('name_top1')) for k in CAPS]
    cells += [_f(r['per_set'].get(k, {}).get('name_acc')) for k in SETS]
    cells += [_f(r['modifier_acc']), _f(r['recall'].get('Polychrome')), _f(r['calibration'].get('name_ece')),
              str(r['confident_errors']), '' if o.get('train_seconds') is None else f"{o['train_seconds']:.0f}",
              o.get('note', '')]
    return '| ' + ' | '.join(cells) + ' |'

def table(rows):
    head = (['lever', 'name top-1', 'top-3'] + [f'{k} capt.' for k in CAPS] + list(SETS) +
            ['modifier', 'Polychrome', 'ECE name', 'wrong >0.99', 'train s', 'what'])
    keep = [o for o in rows if o.get('results', {}).get('n_images') == 534 and 'per_set' in o['results']]
    return '\n'.join(['| ' + ' | '.join(head) + ' |', '|' + '---|'*len(head)] + [row(o) for o in keep])

def subset_row(o):
    r = o['results']
    cells = [o['name'], _f(r['name_top1']), _f(r['name_top3']), _f(r['modifier_acc']),
             '' if o.get('train_seconds') is None else f"{o['train_seconds']:.0f}", o.get('note', '')]
    return '| ' + ' | '.join(cells) + ' |'

def subset_table(rows):
    head = ['lever', 'name top-1', 'top-3', 'modifier', 'train s', 'what']
    keep = [o for o in rows if o['config'].get('sets') == ['Playing'] and o.get('results', {}).get('n_images') == 106]
    return '\n'.join(['| ' + ' | '.join(head) + ' |', '|' + '---|'*len(head)] + [subset_row(o) for o in keep])

if __name__ == '__main__':
    md = ("# Accuracy levers on the full-catalogue benchmark\n\nFresh test deck: 534 captures of the 254-name demo deck "
          "(`bench/levers.py`; one run each, seed 0, 2-core CPU; `train s` is wall time and depends on the machine's "
          "load at the time, recorded in `levers.json`).\n\n" + table(rows := json.loads((HERE/'levers.json').read_text())) +
          "\n\n## Playing cards alone\n\nModels trained on the 52 playing-card names only (`--sets Playing`), scored on "
          "the test deck's 106 playing cards: a quick way to test suit levers. Their differences of 0.01-0.03 are a "
          "few cards.\n\n" + subset_table(rows) + '\n')
    (HERE/'levers.md').write_text(md)
    print(md)
