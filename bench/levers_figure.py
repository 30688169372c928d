#!/usr/bin/env python
"""The playing-card figure of `nbs/05_model.ipynb`: on the fresh test deck's playing cards, which suit each model reads
(true suit → read suit), for the model before the playing-card levers and after them.

    python bench/levers_figure.py WORK BEFORE_MODEL AFTER_MODEL [--out nbs/figs] [--name levers_suits]
"""
import argparse, json
from pathlib import Path
import numpy as np, matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from balatro_cards.core import load_labels, SUITS, save_fig
from balatro_cards.learner import load_card_model

def suit(n): return n.split(' of ')[1] if ' of ' in n else 'other'

def read_suits(model, df):
    "True and read suit of every playing card in `df` (the read name's suit; 'other' when it is not a playing card)."
    pred = load_card_model(model)
    names = [r['name'] for r in pred.predict(list(df.path))]
    return [suit(n) for n in df.name],[suit(n) for n in names],float(np.mean(np.array(names)==df.name.values))

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('work'); ap.add_argument('before'); ap.add_argument('after')
    ap.add_argument('--out', default='nbs/figs', help='folder for the figure')
    ap.add_argument('--name', default='levers_suits', help="the figure's file name, without .png")
    a = ap.parse_args()
    w = Path(a.work)
    df = load_labels(w/'test_cards'/'labels.json', data_dir=w/'test_cards')
    df = df[df.set=='Playing'].reset_index(drop=True)
    df['path'] = [str(w/'test_cards'/f) for f in df.file]
    fig,axs = plt.subplots(1, 2, figsize=(10, 4.4))
    res = {}
    for ax,(k,m) in zip(axs, (('before', a.before), ('after', a.after))):
        t,p,acc = read_suits(m, df)
        labels = SUITS + (['other'] if 'other' in p else [])
        ConfusionMatrixDisplay.from_predictions(t, p, labels=labels, ax=ax, colorbar=False, cmap='Blues')
        ax.set_title(f"{k}: playing-card name top-1 {acc:.3f}\nsuit right {np.mean(np.array(t)==np.array(p)):.3f}")
        ax.set_xlabel('suit read'); ax.set_ylabel('true suit')
        res[k] = dict(model=m, name_top1=acc, suit_acc=float(np.mean(np.array(t)==np.array(p))), n=len(t))
    fig.suptitle(f'Fresh test deck, {len(df)} playing-card captures (254-name demo benchmark)')
    fig.tight_layout()
    save_fig(fig, a.name, a.out, dpi=110)
    print(json.dumps(res))
