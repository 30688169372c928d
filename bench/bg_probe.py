#!/usr/bin/env python
"""Probe (not a test): does a card model read a card by its capture's frame and background? On the benchmark's fresh
Base test captures of names with one or two Base training captures, read each capture as it is, then with its card
(`editions.card_mask`) moved into the card box of the name's first training capture (its frame: box size, margins),
on that capture's background, on its own background, and in its own box on the training background. Wrong reads that
turn right there are errors of a memorised capture. Writes `bench/bg_probe.json` (one entry per model).

    python bench/bg_probe.py --work WORK --model DIR [--name NAME]
"""
import argparse, json
from pathlib import Path
import numpy as np
from PIL import Image
from balatro_cards.core import save_json
from balatro_cards.learner import load_card_model
from balatro_cards.editions import card_mask
from balatro_cards.augment import _bg_plate, _card_box
from balatro_cards.evaluate import _labels_frame

OUT = Path(__file__).parent/'bg_probe.json'
VIEWS = ('as_is', 'train_frame_train_bg', 'train_frame_own_bg', 'own_frame_train_bg')

def paste(src, bg, frame):
    "The card of `src` squished into `frame`'s card box, on `bg`'s background (its card filled in), at `frame`'s size."
    ms,mf = card_mask(src),card_mask(frame)
    bs,bf = _card_box(ms, src.size),_card_box(mf, frame.size)
    out = Image.fromarray(_bg_plate(np.asarray(bg), card_mask(bg))).resize(frame.size)
    size = (bf[2]-bf[0], bf[3]-bf[1])
    alpha = Image.fromarray((ms[bs[1]:bs[3], bs[0]:bs[2]]*255).astype(np.uint8)).resize(size)
    out.paste(src.crop(bs).resize(size), bf[:2], alpha)
    return out

def probe(work, model, max_captures=2):
    pred = load_card_model(model)
    deck = lambda d: _labels_frame(work/d/'labels.json', work/d)
    trn,tst = deck('cards'),deck('test_cards')
    trn = trn[trn.modifier=='Base']
    rows = []
    for _,r in tst[tst.modifier=='Base'].iterrows():
        own = trn[trn.name.str.lower()==r['name'].lower()]
        if not 1 <= len(own) <= max_captures: continue
        a,b = Image.open(r.path).convert('RGB'),Image.open(own.path.iloc[0]).convert('RGB')
        p = pred.predict([a, paste(a, b, b), paste(a, a, b), paste(a, b, a)], topk=1)
        right = {v:q['name'].lower()==r['name'].lower() for v,q in zip(VIEWS, p)}
        rows.append(dict(name=r['name'], file=r.file, **right))
    wrong = [o for o in rows if not o['as_is']]
    return dict(model=str(model), n=len(rows), right_as_is=len(rows)-len(wrong),
                wrong_turned_right={v:sum(o[v] for o in wrong) for v in VIEWS[1:]},
                right_turned_wrong={v:sum(not o[v] for o in rows if o['as_is']) for v in VIEWS[1:]},
                wrong=wrong)

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--work', required=True); ap.add_argument('--model', required=True)
    ap.add_argument('--name', default=None)
    a = ap.parse_args()
    res = probe(Path(a.work), Path(a.model))
    name = a.name or Path(a.model).name
    old = json.loads(OUT.read_text()) if OUT.exists() else {}
    save_json({**old, name:res}, OUT)
    print(json.dumps({k:v for k,v in res.items() if k != 'wrong'}))
