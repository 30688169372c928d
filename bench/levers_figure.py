#!/usr/bin/env python
"""The playing-card figure of `nbs/05_model.ipynb`: on the fresh test deck's playing cards, which suit each model reads
(true suit → read suit), for the model before the playing-card levers and after them; with `--by_edition`, the
fraction of suits read right for each edition instead; with `--ranks`, which rank each model reads.

    python bench/levers_figure.py WORK BEFORE_MODEL AFTER_MODEL [--out nbs/figs] [--name levers_suits] [--by_edition]
        [--ranks]
"""
import argparse, json
from pathlib import Path
import numpy as np, matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from balatro_cards.core import load_labels, SUITS, RANKS, MODIFIERS, save_fig
from balatro_cards.learner import load_card_model

def suit(n): return n.split(' of ')[1] if ' of ' in n else 'other'
def rank(n): return n.split(' of ')[0] if ' of ' in n else 'other'

def read_suits(model, df, part=suit):
    "True and read suit (or other `part`) of every playing card in `df` ('other' when the read name is not one)."
    pred = load_card_model(model)
    names = [r['name'] for r in pred.predict(list(df.path))]
    return [part(n) for n in df.name],[part(n) for n in names],float(np.mean(np.array(names)==df.name.values))

def by_edition(df, a):
    "Bars: the fraction of playing cards whose suit is read right, per edition, before and after."
    fig,ax = plt.subplots(figsize=(7.5, 3.6))
    mods = [m for m in MODIFIERS if (df.modifier==m).any()]
    res = {}
    for i,(k,m) in enumerate((('before', a.before), ('after', a.after))):
        t,p,acc = read_suits(m, df)
        ok = np.array(t)==np.array(p)
        v = [ok[(df.modifier==e).values].mean() for e in mods]
        b = ax.bar(np.arange(len(mods)) + (i-.5)*.38, v, .38, label=f"{k}: suit right {ok.mean():.3f}")
        ax.bar_label(b, fmt='%.2f', fontsize=8)
        res[k] = dict(model=m, name_top1=acc, suit_acc=float(ok.mean()), by_edition=dict(zip(mods, map(float, v))))
    ax.set_xticks(range(len(mods)), [f"{e}\n({(df.modifier==e).sum()})" for e in mods])
    ax.set_ylim(0, 1.12); ax.set_ylabel('suit read right'); ax.legend(loc='lower left', fontsize=8)
    ax.set_title(f'Fresh test deck, {len(df)} playing-card captures, by edition (254-name demo benchmark)')
    return fig,res

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('work'); ap.add_argument('before'); ap.add_argument('after')
    ap.add_argument('--out', default='nbs/figs', help='folder for the figure')
    ap.add_argument('--name', default='levers_suits', help="the figure's file name, without .png")
    ap.add_argument('--by_edition', action='store_true', help='bars of suits read right per edition')
    ap.add_argument('--ranks', action='store_true', help='confusion of ranks instead of suits')
    a = ap.parse_args()
    w = Path(a.work)
    df = load_labels(w/'test_cards'/'labels.json', data_dir=w/'test_cards')
    df = df[df.set=='Playing'].reset_index(drop=True)
    df['path'] = [str(w/'test_cards'/f) for f in df.file]
    if a.by_edition:
        fig,res = by_edition(df, a)
        save_fig(fig, a.name, a.out, dpi=110); print(json.dumps(res)); raise SystemExit
    part,what,vocab = (rank,'rank',RANKS) if a.ranks else (suit,'suit',SUITS)
    fig,axs = plt.subplots(1, 2, figsize=(15, 6.6) if a.ranks else (10, 4.4))
    res = {}
    for ax,(k,m) in zip(axs, (('before', a.before), ('after', a.after))):
        t,p,acc = read_suits(m, df, part)
        labels = vocab + (['other'] if 'other' in p else [])
        ConfusionMatrixDisplay.from_predictions(t, p, labels=labels, ax=ax, colorbar=False, cmap='Blues')
        ok = float(np.mean(np.array(t)==np.array(p)))
        ax.set_title(f"{k}: playing-card name top-1 {acc:.3f}\n{what} right {ok:.3f}")
        ax.set_xlabel(f'{what} read'); ax.set_ylabel(f'true {what}')
        res[k] = dict(model=m, name_top1=acc, **{f'{what}_acc':ok}, n=len(t))
    fig.suptitle(f'Fresh test deck, {len(df)} playing-card captures (254-name demo benchmark)')
    fig.tight_layout()
    save_fig(fig, a.name, a.out, dpi=110)
    print(json.dumps(res))
