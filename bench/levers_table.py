#!/usr/bin/env python
"""Write `bench/levers.md`: one markdown row per lever in `bench/levers.json` measured on the full benchmark's fresh
test deck (the 534-capture test deck of the 254-name demo deck), then the playing-card subset runs (`--sets Playing`: 52
names, scored on the test deck's 106 playing cards); rows from killed runs stay in the JSON only.

    python bench/levers_table.py
"""
import json
from pathlib import Path

HERE = Path(__file__).parent
SETS = ('Joker', 'Planet', 'Playing', 'Spectral', 'Tarot')
CAPS = ('1', '2', '3-5', '6+')

def _f(v): return '' if v is None else f'{v:.3f}'

def _what(o):
    "The row's note, and the `bench/lever_patches.py` patches it ran with."
    p = o['config'].get('patch')
    return o.get('note', '') + (f" (`--patch {' --patch '.join(p)}`)" if p else '')

def row(o):
    r = o['results']
    cells = [o['name'], _f(r['name_top1']), _f(r['name_top3'])]
    cells += [_f(r['by_captures'].get(k, {}).get('name_top1')) for k in CAPS]
    cells += [_f(r['per_set'].get(k, {}).get('name_acc')) for k in SETS]
    cells += [_f(r['modifier_acc']), _f(r['recall'].get('Polychrome')), _f(r['calibration'].get('name_ece')),
              str(r['confident_errors']), '' if o.get('train_seconds') is None else f"{o['train_seconds']:.0f}",
              _what(o)]
    return '| ' + ' | '.join(cells) + ' |'

def table(rows):
    head = (['lever', 'name top-1', 'top-3'] + [f'{k} capt.' for k in CAPS] + list(SETS) +
            ['modifier', 'Polychrome', 'ECE name', 'wrong >0.99', 'train s', 'what'])
    keep = [o for o in rows if o.get('results', {}).get('n_images') == 534 and 'per_set' in o['results']]
    return '\n'.join(['| ' + ' | '.join(head) + ' |', '|' + '---|'*len(head)] + [row(o) for o in keep])

def subset_row(o):
    r = o['results']
    cells = [o['name'], _f(r['name_top1']), _f(r['name_top3']), _f(r['modifier_acc']),
             '' if o.get('train_seconds') is None else f"{o['train_seconds']:.0f}", _what(o)]
    return '| ' + ' | '.join(cells) + ' |'

def subset_table(rows):
    head = ['lever', 'name top-1', 'top-3', 'modifier', 'train s', 'what']
    keep = [o for o in rows if o['config'].get('sets') == ['Playing'] and o.get('results', {}).get('n_images') == 106]
    return '\n'.join(['| ' + ' | '.join(head) + ' |', '|' + '---|'*len(head)] + [subset_row(o) for o in keep])

INTRO = ("# Accuracy levers on the full-catalogue benchmark\n\nFresh test deck: 534 captures of the 254-name demo "
         "deck (`bench/levers.py`; one run each, seed 0 unless the name says otherwise, 2-core CPU; `train s` is wall "
         "time and depends on the machine's load at the time, recorded in `levers.json`). Rows with `--patch` changed "
         "the library in the run's process only (`bench/lever_patches.py`): tried, not part of the package, except "
         "`cornersuit`, since then the library's `corner=True` (rerun those rows with `corner=True "
         "body_scale=0.6667`), and `edsuit`, since then the library's `suit_by_edition=True`, the default with the "
         "corner view (rerun rows with `--patch edsuit` without it; rows with the corner view before `edsuit` had one "
         "suit head: rerun them with `suit_by_edition=False`). "
         "Rows before `crop_bs64` ran without cropping to the card (`crop: null` in their config), the library "
         "default since. Each row's config holds its overrides of the main job of its day (`pipeline.DEMO`): rows "
         "before `crop_cornersuit_96x72_n3000` ran at 64x48 without the corner view, 3,500 images an epoch, where "
         "their config does not say otherwise (to rerun one now, add `size=64,48 corner=False suit_by_edition=False`); rows "
         "from then to `cornerwide2_seed1` drew 3,000 images an epoch unless their config says otherwise (add "
         "`epoch_size=3000`).\n\n")
SUBSET = ("\n\n## Playing cards alone\n\nModels trained on the 52 playing-card names only (`--sets Playing`), scored "
          "on the test deck's 106 playing cards: quick, but noisy: the same recipe read 0.840 with seed 0 and 0.774 "
          "with seed 1 (`diag_playing_seed1`), so differences below about 0.07 here are noise.\n\n")

if __name__ == '__main__':
    rows = json.loads((HERE/'levers.json').read_text())
    md = INTRO + table(rows) + SUBSET + subset_table(rows) + '\n'
    (HERE/'levers.md').write_text(md)
    print(md)
