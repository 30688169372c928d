#!/usr/bin/env python
"""Benchmarks for balatro_cards (run on demand, not in tests): writes bench/results.json.

1. training images/s: our fastai `card_learner` vs a plain PyTorch loop (same model, data, batch size, transforms), one run
2. data loading images/s vs the model step alone (is loading the bottleneck?)
3. offline augmentation variants/s, one process vs all cores
4. inference from `load_card_model`: images/s batched and single-image latency
5. peak memory of training

Usage: python bench/bench.py [--n_cards 40] [--size 96,72] [--arch resnet18] [--bs 32] [--out bench/results.json]
"""
import argparse, json, os, platform, resource, sys, tempfile, time
from pathlib import Path
import numpy as np, torch
from fastai.callback.core import Callback
from fastai.torch_core import find_bs
from balatro_cards.core import save_json
from balatro_cards.deck import make_deck
from balatro_cards.augment import augment, merge_aug
from balatro_cards.data import card_dls, card_size
from balatro_cards.learner import card_learner, save_card_model, load_card_model

def _now(): return time.perf_counter()
def _plain(b): return [o.as_subclass(torch.Tensor) for o in b]

class _TrainTimer(Callback):
    "Time the training phase only (no validation), counting images."
    order = 100
    def before_train(self): self.n,self.t0 = 0,_now()
    def after_batch(self):
        if self.training: self.n += find_bs(self.learn.yb)
    def after_train(self): self.secs = _now()-self.t0


def bench_train(dls, arch, lr=3e-3, epochs=3):
    "images/s of `learn.fit` vs a plain PyTorch loop over the same `dls.train`, same model init, loss and optimiser; epochs interleaved so machine drift hits all alike."
    def fastai_learner(**kw):
        torch.manual_seed(0)
        learn = card_learner(dls, arch, lr=lr, **kw)
        learn.remove_cbs([cb for cb in learn.cbs if type(cb).__name__ == 'ProgressCallback'])
        return learn
    def fastai_epoch(learn):
        timer = _TrainTimer(); learn.fit(1, lr, cbs=timer); return timer.n/timer.secs
    learn_bn = fastai_learner()              # the default learner: PreciseBN re-estimates BatchNorm stats each epoch (extra forwards)
    learn = fastai_learner(precise_bn=0)     # like for like with the plain loop
    torch.manual_seed(0)
    model = card_learner(dls, arch, lr=lr).model     # a fresh, identical model
    lf = learn.loss_func
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    def plain_epoch():
        model.train(); n,t0 = 0,_now()
        for b in dls.train:
            xb,yn,ym = _plain(b)   # a plain loop sees plain tensors (fastai's typed tensors dispatch differently)
            loss = lf(model(xb), yn, ym)
            loss.backward(); opt.step(); opt.zero_grad()
            n += len(xb)
        return n/(_now()-t0)
    fastai_epoch(learn_bn); fastai_epoch(learn); plain_epoch()    # warm-up epochs (allocations, caches)
    fa_bn,fa,pt = [],[],[]
    for _ in range(epochs): fa_bn.append(fastai_epoch(learn_bn)); fa.append(fastai_epoch(learn)); pt.append(plain_epoch())
    return dict(fastai_img_s=round(float(np.median(fa)), 1), fastai_default_precise_bn_img_s=round(float(np.median(fa_bn)), 1),
                pytorch_img_s=round(float(np.median(pt)), 1),
                ratio=round(float(np.median(fa)/np.median(pt)), 3), epochs_timed=epochs, interleaved=True), learn

def bench_loading(dls, model, lf, n_batches=20):
    "images/s of iterating `dls.train` alone vs forward+backward+step on one fixed batch."
    t0,n = _now(),0
    for i,(xb,*_) in enumerate(dls.train):
        n += len(xb)
        if i+1 >= n_batches: break
    load = n/(_now()-t0)
    xb,yn,ym = _plain(dls.one_batch())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    for _ in range(2): lf(model(xb), yn, ym).backward(); opt.zero_grad()
    t0 = _now()
    for _ in range(n_batches//2):
        lf(model(xb), yn, ym).backward(); opt.step(); opt.zero_grad()
    step = len(xb)*(n_batches//2)/(_now()-t0)
    return dict(loading_img_s=round(load, 1), model_step_img_s=round(step, 1),
                bottleneck='data loading' if load < step else 'model step')

def bench_augment(data, tmp):
    "variants/s of `augment` with one worker vs all cores, same deck, fresh output each time."
    res = {}
    for nw in (1, os.cpu_count()):
        aug = Path(tmp)/f'aug{nw}'
        t0 = _now()
        s = augment(data_dir=data, aug_dir=aug, labels_file=Path(data)/'labels.json', aug_json=aug/'augmented.json', n_workers=nw, progress=False)
        res[f'workers_{nw}'] = dict(variants=s.variants, seconds=round(_now()-t0, 2), variants_s=round(s.variants/(_now()-t0), 1))
    res['speedup'] = round(res[f'workers_{os.cpu_count()}']['variants_s']/res['workers_1']['variants_s'], 2)
    return res

def bench_infer(model_dir, paths, n_single=30):
    "images/s batched (bs 64) and median single-image latency of a `load_card_model` predictor."
    p = load_card_model(model_dir)
    p.predict(paths[:8])
    t0 = _now(); p.predict(paths, bs=64); batched = len(paths)/(_now()-t0)
    lat = []
    for f in paths[:n_single]:
        t0 = _now(); p.predict([f]); lat.append(_now()-t0)
    return dict(batched_img_s=round(batched, 1), single_latency_ms=round(1000*float(np.median(lat)), 2), n_images=len(paths))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n_cards', type=int, default=40); ap.add_argument('--size', default='96,72')
    ap.add_argument('--arch', default='resnet18'); ap.add_argument('--bs', type=int, default=32)
    ap.add_argument('--out', default=str(Path(__file__).parent/'results.json'))
    a = ap.parse_args()
    size = card_size(a.size)
    t_all = _now()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)/'cards'
        make_deck(data, n_cards=a.n_cards, seed=0)
        res = dict(machine=dict(platform=platform.platform(), python=platform.python_version(), cpus=os.cpu_count(),
                                torch=torch.__version__, torch_threads=torch.get_num_threads(),
                                device='cuda: '+torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu'),
                   config=dict(arch=a.arch, size=list(size), bs=a.bs, n_cards=a.n_cards))
        print('augment ...', flush=True); res['augment'] = bench_augment(data, tmp)
        aug = Path(tmp)/f'aug{os.cpu_count()}'
        df = merge_aug(data/'labels.json', aug_json=aug/'augmented.json', data_dir=data, aug_dir=aug)
        dls = card_dls(df, size=size, bs=a.bs, data_dir=data)
        if torch.cuda.is_available(): torch.cuda.reset_peak_memory_stats()
        print('train ...', flush=True); res['train'],learn = bench_train(dls, a.arch)
        print('loading ...', flush=True); res['loading'] = bench_loading(dls, learn.model, learn.loss_func)
        res['memory'] = dict(peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024, 1),
                             peak_cuda_mb=round(torch.cuda.max_memory_allocated()/2**20, 1) if torch.cuda.is_available() else None)
        save_card_model(learn, Path(tmp)/'model')
        print('inference ...', flush=True); res['inference'] = bench_infer(Path(tmp)/'model', [str(o) for o in df[~df.is_aug].path][:256])
    res['seconds'] = round(_now()-t_all, 1)
    save_json(res, a.out)
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
