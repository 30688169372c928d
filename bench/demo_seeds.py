#!/usr/bin/env python
"""Benchmark (not a test): the main job (`run_pipeline` with the `DEMO` defaults) on demo decks of several seeds.

The README's main-job command runs seed 0; a held-out set of ~80 originals is small, so this script repeats the whole
job (deck → augment → train → evaluate) for other seeds and writes every run's headline metrics, their mean and their
minimum to `bench/demo_seeds.json`. Extra `key=value` arguments override `DEMO` values (e.g. `lr=3e-3 synth_editions=False`)
to measure a change the same way:

    python bench/demo_seeds.py [--seeds 0,1,2] [--out bench/demo_seeds.json] [--work runs/seeds] [key=value ...]
"""
import argparse, ast, json, time
from pathlib import Path
import torch
from balatro_cards.core import save_json
from balatro_cards.pipeline import DEMO, run_pipeline

KEYS = ('name_top1','name_top3','modifier_acc','modifier_balanced_acc','negative_recall')

def _val(s):
    try: return ast.literal_eval(s)
    except (ValueError, SyntaxError): return s

def _stats(runs):
    res = {}
    for k in KEYS:
        v = [r[k] for r in runs if r[k] is not None]
        res[k] = dict(mean=round(sum(v)/len(v), 4), min=round(min(v), 4)) if v else None
    res['negative_images'] = sum(r['negative_support'] for r in runs)
    res['negative_recall_pooled'] = (round(sum((r['negative_recall'] or 0)*r['negative_support'] for r in runs)/res['negative_images'], 4)
                                     if res['negative_images'] else None)
    return res

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', default='0,1,2'); ap.add_argument('--out', default=str(Path(__file__).parent/'demo_seeds.json'))
    ap.add_argument('--work', default='runs/seeds'); ap.add_argument('overrides', nargs='*')
    a = ap.parse_args()
    over = {k:_val(v) for k,v in (o.split('=', 1) for o in a.overrides)}
    cfg = {**DEMO, **over}
    runs = []
    for seed in map(int, a.seeds.split(',')):
        r = run_pipeline(Path(a.work)/f'seed{seed}', demo=True, seed=seed, quiet=True, **cfg)
        runs.append({k:r[k] for k in KEYS+('negative_support','n_images','total_seconds')} | dict(seed=seed))
        print(json.dumps(runs[-1]), flush=True)
    summary = _stats(runs)
    save_json(dict(config=cfg, torch_threads=torch.get_num_threads(), date=time.strftime('%Y-%m-%d'), runs=runs, summary=summary), a.out)
    print(json.dumps(summary))
