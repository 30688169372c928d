#!/usr/bin/env python
"""Screen reading with one card model and with several averaged (`read_crops` with a list of models), per detector.

Each screen is detected once (boxes refined when the detector has a refiner) and each card cut once, into
`read_screen`'s views; every model reads every view once; then every combination of the models is scored, its
probabilities averaged over views and models as `read_crops` averages them. Results -> bench/screens_models.json (one
row per detector and screen set, replaced when rerun).

    python bench/screens_models.py --detector runs/screens/detector --screens runs/screens/test --screens 2002 \
        --model runs/demo/model --model runs/demo/lever_indexonly_seed1 --model runs/demo/lever_indexonly_seed2
(a --screens that is a number is a seed: 60 screens are generated into runs/screens/views_SEED once)
"""
import argparse, itertools, json, os, time
from pathlib import Path
import numpy as np
from balatro_cards.core import save_json
from balatro_cards.learner import load_card_model
from balatro_cards.detect import load_detector
from balatro_cards.read import card_views, crop_margin, card_models, score_screens, TTA, _mean_views
from balatro_cards.evaluate import predict_arrays
from balatro_cards.data import card_img
from screens_views import screens, root


def probs(pred, views):
    "Name and modifier probabilities of each card (its views averaged) read by `pred`."
    n = [len(v) for v in views]
    with pred.precut(): r = predict_arrays(pred, [x for v in views for x in v], embed=False)
    return _mean_views(r['name_probs'], n), _mean_views(r['mod_probs'], n)

def score(preds, dets, truths, P, combo):
    "`read.score_screens`'s card and screen accuracy for the models in `combo` averaged."
    res = []
    for d,p in zip(dets, P):
        pn,pm = (np.mean([p[i][k] for i in combo], 0) for k in (0, 1))
        res.append([dict(box=b, score=s, name=preds[0].names[a.argmax()], modifier=preds[0].mods[m.argmax()])
                    for b,s,a,m in zip(d['boxes'], d['scores'], pn, pm)])
    m = score_screens(res, truths)
    return dict(card_acc=m['card_acc'], screens_right=m['screens_right'])

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--detector', action='append', required=True)
    ap.add_argument('--screens', action='append', required=True, help='a folder with truth.json, or a seed')
    ap.add_argument('--model', action='append', required=True, help='card models (same names), two or more')
    ap.add_argument('--out', default='bench/screens_models.json')
    a = ap.parse_args()
    preds = card_models([load_card_model(m, device='cpu') for m in a.model])
    out = root/a.out
    rows = json.loads(out.read_text()) if out.is_file() else []
    for dp in a.detector:
        det = load_detector(dp)
        for spec in a.screens:
            folder = screens(spec, preds[0].names)
            truths = json.loads((folder/'truth.json').read_text())
            dets,P = [],[]
            for t in truths:
                img = card_img(folder/t['file']); d = det.detect(img)[0]
                views = [card_views(img, b, g, crop_margin(preds), TTA) for b,g in zip(d['boxes'], d['angles'])]
                dets.append(d); P.append([probs(p, views) for p in preds])
            combos = [c for k in range(1, len(preds)+1) for c in itertools.combinations(range(len(preds)), k)]
            row = dict(detector=str(dp), screens=os.path.relpath(Path(folder).resolve(), root),
                       n_screens=len(truths), n_cards=sum(len(t['cards']) for t in truths), models=a.model,
                       refiner=det.refiner is not None, date=time.strftime('%Y-%m-%d %H:%M'),
                       read={'+'.join(str(i) for i in c): score(preds, dets, truths, P, c) for c in combos})
            print(json.dumps(row))
            rows = [r for r in rows if (r['detector'], r['screens'], r['models']) != (row['detector'], row['screens'],
                                                                                        row['models'])] + [row]
            save_json(rows, out)
