#!/usr/bin/env python
"""Benchmark (not a test): cost of one training step of the main job's model at several input sizes, with and without
`channels_last`, measured in images per CPU-second of this process (robust to other processes sharing the machine) and
per wall-second. Settings are interleaved over `--rounds` rounds; each round times `--steps` steps after 2 warm-up steps.
Appends one row per setting to `bench/levers.json` (kind `speed`).

    python bench/speed.py [--rounds 3] [--steps 6] [--bs 32]
"""
import argparse, json, os, time
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F
from balatro_cards.core import save_json
from balatro_cards.model import create_card_model

OUT = Path(__file__).parent/'levers.json'
SETTINGS = [('64x48', (64,48), False), ('64x48_channels_last', (64,48), True), ('80x60', (80,60), False), ('96x72', (96,72), False)]

def step_cost(size, cl, bs, steps, model, opt):
    "CPU and wall seconds of `steps` forward+backward+AdamW steps on random batches of `bs` images of `size`."
    x = torch.randn(bs, 3, *size); yn,ym = torch.randint(0, 254, (bs,)),torch.randint(0, 5, (bs,))
    if cl: x = x.contiguous(memory_format=torch.channels_last)
    def one():
        a,b = model(x); loss = F.cross_entropy(a, yn) + .5*F.cross_entropy(b, ym)
        opt.zero_grad(); loss.backward(); opt.step()
    for _ in range(2): one()
    c,w = time.process_time(),time.perf_counter()
    for _ in range(steps): one()
    return time.process_time()-c,time.perf_counter()-w

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--rounds', type=int, default=3); ap.add_argument('--steps', type=int, default=6); ap.add_argument('--bs', type=int, default=32)
    a = ap.parse_args()
    torch.manual_seed(0)
    models = {}
    for name,size,cl in SETTINGS:
        m = create_card_model('resnet18', 254).train()
        if cl: m = m.to(memory_format=torch.channels_last)
        models[name] = (m, torch.optim.AdamW(m.parameters(), 1e-3))
    load0,res = os.getloadavg(),{n:[] for n,_,_ in SETTINGS}
    for r in range(a.rounds):
        for name,size,cl in SETTINGS: res[name].append(step_cost(size, cl, a.bs, a.steps, *models[name]))
    n = a.bs*a.steps
    rows = []
    for name,size,cl in SETTINGS:
        c,w = np.median([o[0] for o in res[name]]),np.median([o[1] for o in res[name]])
        rows.append(dict(name=f'speed_{name}', kind='speed', config=dict(size=list(size), channels_last=cl, bs=a.bs, steps=a.steps, rounds=a.rounds),
                         results=dict(img_per_cpu_s=round(n/c, 1), img_per_wall_s=round(n/w, 1), cpu_s_per_img=round(c/n, 4)),
                         load_before=[round(o, 2) for o in load0], load_after=[round(o, 2) for o in os.getloadavg()],
                         torch_threads=torch.get_num_threads(), date=time.strftime('%Y-%m-%d %H:%M')))
        print(json.dumps(rows[-1]))
    old = json.loads(OUT.read_text()) if OUT.exists() else []
    save_json([o for o in old if o['name'] not in {r['name'] for r in rows}] + rows, OUT)
