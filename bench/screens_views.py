#!/usr/bin/env python
"""How much of screen reading's error is the detector's boxes, and what reading each card in several views buys.

For each detector and each set of held-out generated screens, `read_screen` reads every screen four ways: with the
detector's boxes or with the true boxes (the detector's tilts either way), each with one view per card (`tta=()`) and
with the default views (`read.TTA`). It also reports how far the detector's box edges are from the true ones, in card
widths. A detector with a box refiner (`detect.BoxRefiner`) is also measured with its boxes as they were before the
refiner moved them (`edge_error_unrefined`, `unrefined_views`). Results -> bench/screens_views.json (one row per
detector and screen set, replaced when rerun).

    python bench/screens_views.py --detector runs/screens/detector --screens runs/screens/test --screens 2002
(a --screens that is a number is a seed: 60 screens are generated into runs/screens/views_SEED once)
"""
import argparse, json, os, time
from pathlib import Path
import numpy as np
from balatro_cards.core import save_json
from balatro_cards.learner import load_card_model
from balatro_cards.detect import load_detector, match_boxes
from balatro_cards.screens import make_screens
from balatro_cards.read import read_screen, score_screens, TTA
from balatro_cards.data import card_img

root = Path(__file__).resolve().parent.parent

class Boxes:
    "A stand-in detector: fixed boxes, scores and tilts for each screen, looked up by screen number."
    def __init__(self, dets): self.dets,self.i = dets,0
    def detect(self, img, thresh=None): return [self.dets[self.i]]

def edge_errors(dets, truths)->np.ndarray:
    "Per matched card, the largest of its four box edges' distance from the true box, in card widths."
    out = []
    for d,t in zip(dets, truths):
        m = match_boxes(d['boxes'], [o['box'] for o in t['cards']], .5)
        for i,j in enumerate(m):
            if j < 0: continue
            g = np.asarray(t['cards'][j]['box'], np.float32)
            out.append(np.abs(d['boxes'][i] - g).max()/(g[2]-g[0]))
    return np.array(out)

def summary(e)->dict:
    "Median edge error and the shares over 0.06 and 0.10 card widths."
    return dict(median=round(float(np.median(e)), 4), over_006=round(float((e > .06).mean()), 4),
                over_010=round(float((e > .1).mean()), 4))

def with_true_boxes(dets, truths):
    "`dets` with each matched box replaced by its true box (tilts and scores kept); unmatched boxes unchanged."
    out = []
    for d,t in zip(dets, truths):
        b = d['boxes'].copy()
        for i,j in enumerate(match_boxes(b, [o['box'] for o in t['cards']], .5)):
            if j >= 0: b[i] = t['cards'][j]['box']
        out.append(dict(d, boxes=b))
    return out

def read_all(folder, truths, pred, dets, tta):
    src,res = Boxes(dets),[]
    for i,t in enumerate(truths):
        src.i = i; res.append(read_screen(folder/t['file'], pred, src, tta=tta))
    m = score_screens(res, truths)
    return dict(card_acc=m['card_acc'], screens_right=m['screens_right'])

def screens(spec, names):
    if not spec.isdigit(): return Path(spec)
    folder = root/'runs'/'screens'/f'views_{spec}'
    if not (folder/'truth.json').is_file(): make_screens(folder, n=60, seed=int(spec), prefer=names, prefer_p=0.5)
    return folder

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default='runs/demo/model')
    ap.add_argument('--detector', action='append', required=True)
    ap.add_argument('--screens', action='append', required=True, help='a folder with truth.json, or a seed')
    ap.add_argument('--out', default='bench/screens_views.json')
    ap.add_argument('--figure', default=None, help='PNG of the edge errors of each detector (all screen sets pooled)')
    ap.add_argument('--labels', default=None, help='figure labels separated by ";", one per --detector')
    a = ap.parse_args()
    pred = load_card_model(a.model, device='cpu')
    out = root/a.out
    rows = json.loads(out.read_text()) if out.is_file() else []
    errs = {}
    for dp in a.detector:
        det = load_detector(dp)
        for spec in a.screens:
            folder = screens(spec, pred.names)
            truths = json.loads((folder/'truth.json').read_text())
            dets = [det.detect(card_img(folder/t['file']))[0] for t in truths]
            e = edge_errors(dets, truths)
            errs[dp] = np.concatenate([errs.get(dp, np.zeros(0)), e])
            row = dict(detector=str(dp), reg=det.reg, screens=os.path.relpath(Path(folder).resolve(), root),
                       n_screens=len(truths), n_cards=sum(len(t['cards']) for t in truths), model=a.model,
                       edge_error=summary(e), refiner=det.cfg.get('refiner'),
                       date=time.strftime('%Y-%m-%d %H:%M'),
                       training_mix=det.cfg.get('mod_probs', 'game'),   # detectors before `mod_probs`: the game's mix
                       training_cards=det.cfg.get('cards'))   # None: screens of the demo art; else the captures' labels
            if det.refiner is not None:   # the same detector's boxes before the refiner moves them
                raw = [det.detect(card_img(folder/t['file']), refine=False)[0] for t in truths]
                row['edge_error_unrefined'] = summary(edge_errors(raw, truths))
                row['unrefined_views'] = read_all(folder, truths, pred, raw, TTA)
            for boxes,ds in (('detected', dets), ('true', with_true_boxes(dets, truths))):
                for views,tta in (('one', ()), ('views', TTA)):
                    row[f'{boxes}_{views}'] = read_all(folder, truths, pred, ds, tta)
            print(json.dumps(row))
            rows = [r for r in rows if (r['detector'], r['screens']) != (row['detector'], row['screens'])] + [row]
            save_json(rows, out)
    if a.figure:
        import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
        labels = a.labels.split(';') if a.labels else a.detector
        fig,ax = plt.subplots(figsize=(7, 3.5))
        bins = np.linspace(0, 0.16, 33)
        for lab,dp in zip(labels, a.detector):
            e = errs[dp]
            ax.hist(np.clip(e, 0, 0.16), bins, histtype='step', lw=2, label=f'{lab}: {(e > .06).mean():.1%} over 0.06')
        ax.axvline(0.06, color='grey', ls=':')
        ax.set_xlabel("largest edge error of a matched box (card widths; clipped at 0.16)")
        ax.set_ylabel('cards'); ax.legend(fontsize=8); ax.set_title(f'{len(e)} held-out cards per detector')
        fig.tight_layout(); fig.savefig(root/a.figure, dpi=110)
