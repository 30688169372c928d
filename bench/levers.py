#!/usr/bin/env python
"""Benchmark (not a test): accuracy levers measured on the full-catalogue benchmark, one row per setting in
`bench/levers.json`.

The benchmark is the main job's: a 254-name demo deck in a user's shape, its fresh test deck and its calibration deck
(`balatro_pipeline --demo --out WORK` writes all three and the augmented variants). Every lever is scored the same way:
train on every capture of `WORK/cards` (+ `WORK/AUG/augmented.json`), fit the temperatures on `WORK/calib_cards`,
score on `WORK/test_cards`. Training levers take `key=value` overrides of `train_cards`/`DEMO` (`size=80,60 epochs=8`);
evaluation-only levers reuse a trained model (`--model DIR`) with test-time augmentation (`--tta N`) or a
nearest-prototype blend of the encoder's embeddings (`--proto ALPHA`); `--patch NAME[=ARG]` measures a lever of
`bench/lever_patches.py` (library changes tried before, or instead of, a place in a notebook). Each row records the
config, wall time and the
machine's load (`os.getloadavg`), since the 2-core machine is shared.

    python bench/levers.py --work WORK --name NAME [--aug augmented] [--model DIR] [--tta N] [--proto A] [--patch P]
        [key=value ...]
"""
import argparse, ast, json, os, resource, time
from pathlib import Path
import numpy as np, torch
from PIL import Image
from balatro_cards.core import save_json, load_labels
from balatro_cards.pipeline import DEMO, _train
from balatro_cards.learner import load_card_model
from balatro_cards.augment import merge_aug
from balatro_cards.evaluate import (calibrate, predict_arrays, eval_metrics, train_counts, _labels_frame, _idx)

OUT = Path(__file__).parent/'levers.json'

def _val(s):
    try: return ast.literal_eval(s)
    except (ValueError, SyntaxError): return s

def tta_views(img, n:int):
    "`n` views of `img`: itself, centred crops trimming 3 % and 6 %, then corner-shifted crops (the card stays whole)."
    w,h = img.size
    boxes = [(0,0,w,h), (.03*w,.03*h,.97*w,.97*h), (.06*w,.06*h,.94*w,.94*h), (0,0,.95*w,.95*h), (.05*w,.05*h,w,h)]
    return [img.crop(tuple(round(o) for o in b)) if i else img for i,b in enumerate(boxes[:n])]

def tta_arrays(pred, paths, n:int):
    "`predict_arrays` averaged over `n` TTA views of every image."
    imgs = [pred._img(p) for p in paths]
    rs = [predict_arrays(pred, [tta_views(im, n)[k] for im in imgs], embed=(k==0)) for k in range(n)]
    mean = lambda k: np.mean([r[k] for r in rs], 0)
    return dict(name_probs=mean('name_probs'), mod_probs=mean('mod_probs'), emb=rs[0]['emb'])

def proto_blend(pred, emb, ref_paths, ref_names, name_probs, alpha:float, tau:float=0.05):
    "Blend `name_probs` with a softmax of the cosine similarity of `emb` to each name's mean reference embedding."
    ref = predict_arrays(pred, ref_paths, embed=True)['emb']
    mu = ref.mean(0)
    nrm = lambda x: (x-mu)/np.linalg.norm(x-mu, axis=1, keepdims=True)
    ref,q = nrm(ref),nrm(emb)
    protos = np.zeros((len(pred.names), ref.shape[1]), np.float32)
    ix = _idx(ref_names, pred.names)
    for i in range(len(pred.names)):
        if (ix==i).any(): protos[i] = ref[ix==i].mean(0)
    protos /= np.maximum(np.linalg.norm(protos, axis=1, keepdims=True), 1e-8)
    s = q @ protos.T / tau
    p = np.exp(s - s.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
    return (1-alpha)*name_probs + alpha*p

def _deck(work, name, sets=None):
    "Labels table (with `path`) of deck `work/name`, only the card sets `sets` when given."
    df = _labels_frame(work/name/'labels.json', work/name)
    return df if not sets else df[df.set.isin(sets)].reset_index(drop=True)

def score(model, work, tta=1, proto=0., sets=None):
    "Metrics of `model` on `work/test_cards` (only `sets` when given), with train counts from `work/cards`."
    pred = load_card_model(model)
    df = _deck(work, 'test_cards', sets)
    t = time.time()
    r = tta_arrays(pred, list(df.path), tta) if tta > 1 else predict_arrays(pred, df.path)
    if proto:
        trn = _deck(work, 'cards', sets)
        r['name_probs'] = proto_blend(pred, r['emb'], list(trn.path), list(trn.name), r['name_probs'], proto)
    secs = time.time()-t
    m = eval_metrics(df.name, df.modifier, r['name_probs'], r['mod_probs'], pred.names, pred.mods,
                     train_counts=train_counts(_deck(work, 'cards', sets)))
    keep = ('name_top1','name_top3','modifier_acc','modifier_balanced_acc','by_captures','per_set','calibration',
            'n_images')
    return {**{k:m[k] for k in keep}, 'recall':{k:v['recall'] for k,v in m['per_modifier'].items()},
            'confident_errors':m['confident_errors']['n'], 'most_confused':m['most_confused'][:8],
            'predict_seconds':round(secs, 1)}

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--work', required=True); ap.add_argument('--name', required=True)
    ap.add_argument('--aug', default='augmented')
    ap.add_argument('--model', default=None); ap.add_argument('--tta', type=int, default=1)
    ap.add_argument('--proto', type=float, default=0.)
    ap.add_argument('--note', default='')
    ap.add_argument('--sets', default=None, help='comma-separated card sets: a subset benchmark')
    ap.add_argument('--patch', action='append', default=[], help='a lever of bench/lever_patches.py: NAME or NAME=ARG')
    ap.add_argument('overrides', nargs='*')
    a = ap.parse_args()
    if a.patch:
        import lever_patches
        for o in a.patch: lever_patches.apply(o)
    work,sets = Path(a.work),(a.sets.split(',') if a.sets else None)
    over = {k:_val(v) for k,v in (o.split('=', 1) for o in a.overrides)}
    cfg = {k:v for k,v in {**DEMO, **over}.items() if k not in ('n_cards','img_size','synth_editions')}
    load0,t0 = os.getloadavg(),time.time()
    model,train_s = a.model,None
    if model is None:
        model = work/f'lever_{a.name}'
        aug = work/a.aug/'augmented.json'
        src = dict(aug_json=aug if aug.exists() else None)
        if sets:
            df = (merge_aug(work/'cards'/'labels.json', aug_json=aug, data_dir=work/'cards', aug_dir=aug.parent)
                  if aug.exists() else _deck(work, 'cards'))
            src = dict(df=df[df.set.isin(sets)].reset_index(drop=True))
        _,train_s = _train(model, False, cfg.pop('epochs'), cfg.pop('epoch_size'), data=work/'cards', valid_pct=0,
                           **src, **cfg)
        calibrate(model, _deck(work, 'calib_cards', sets))
    res = score(model, work, a.tta, a.proto, sets)
    config = dict(**over, patch=a.patch, sets=sets, aug=a.aug, tta=a.tta, proto=a.proto, model=str(model))
    row = dict(name=a.name, note=a.note, config=config,
               train_seconds=None if train_s is None else round(train_s, 1), total_seconds=round(time.time()-t0, 1),
               load_before=[round(o, 2) for o in load0], load_after=[round(o, 2) for o in os.getloadavg()],
               cpu_seconds=round(sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
                                     for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)), 1),
               torch_threads=torch.get_num_threads(), date=time.strftime('%Y-%m-%d %H:%M'), results=res)
    rows = json.loads(OUT.read_text()) if OUT.exists() else []
    save_json([o for o in rows if o['name'] != a.name] + [row], OUT)
    print(json.dumps({k:row[k] for k in ('name','train_seconds','total_seconds','cpu_seconds','load_before')} |
                     {k:res[k] for k in ('name_top1','name_top3','modifier_acc','recall','by_captures','calibration',
                                         'confident_errors')}))
