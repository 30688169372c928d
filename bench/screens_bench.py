#!/usr/bin/env python
"""Screen reading, end to end (run by tools/screens.sh): generate held-out game screens -> train the card detector on
generated screens -> (optionally) fine-tune the card model on crops cut from other generated screens -> read the
held-out screens with `balatro_read --watch` (models loaded once) -> score against the ground truth -> time each stage
of `read_screen` in-process on the 1920x1080 screens -> bench/screens_results.json."""
import argparse, json, os, shutil, subprocess, sys, threading, time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
p = argparse.ArgumentParser(description=__doc__)
p.add_argument('--model', default='runs/demo/model', help='card model folder (default: `bash tools/demo.sh` writes it)')
p.add_argument('--also-model', action='append', default=[],
               help='another card model (same names) whose probabilities are averaged with --model\'s when reading')
p.add_argument('--out', default='runs/screens', help='folder for screens, detector, crops and readings')
p.add_argument('--detector', default=None, help='use this trained detector instead of training one')
p.add_argument('--n-test', type=int, default=40, help='held-out screens (sizes 1280x720 to 2560x1440)')
p.add_argument('--test-seed', type=int, default=1001, help='seed of the held-out screens (training screens use --seed)')
p.add_argument('--prefer-p', type=float, default=0.5, help="share of held-out cards drawn from the card model's names")
p.add_argument('--n-train', type=int, default=400, help='detector training screens')
p.add_argument('--epochs', type=int, default=10, help='detector epochs')
p.add_argument('--seed', type=int, default=0)
p.add_argument('--rethresh', action='store_true',
               help="with --detector: pick its threshold again on 40 validation screens drawn like train_detector's")
p.add_argument('--tune-data', default=None,
               help="fine-tune the card model on screen crops: folder holding its captures (cards/labels.json) and "
                    "augmented/augmented.json, e.g. the pipeline's --out (runs/demo); its test_cards/, when there, "
                    "scores the tuned model on captures")
p.add_argument('--tuned', default=None, help='use this already tuned card model (skips cutting and tuning)')
p.add_argument('--n-crops', type=int, default=300, help='generated screens cut into training crops (seed 500)')
p.add_argument('--tune-art', choices=('captures', 'demo'), default='captures',
               help="cards on the tuning screens: the card model's own training captures (screens.ScreenCards, what a "
                    "user has), or the demo deck's drawn art (what the held-out screens are drawn from; a user's "
                    "real cards cannot be drawn so)")
p.add_argument('--tune-epochs', type=int, default=3)
p.add_argument('--tune-budget', type=int, default=2000, help='images per tuning epoch')
p.add_argument('--keep-screens', action='store_true',
               help='reuse the held-out screens in OUT/test (same --n-test, --test-seed)')
p.add_argument('--results', default='bench/screens_results.json')
a = p.parse_args()
os.chdir(root)
model,out = Path(a.model),Path(a.out)
if not (model/'config.json').is_file():
    sys.exit(f"screens: no card model at {model}: run `bash tools/demo.sh` first (it writes runs/demo/model), "
             "or pass --model DIR")
if a.tune_data and not a.tuned and not (Path(a.tune_data)/'cards'/'labels.json').is_file():
    sys.exit(f"screens: --tune-data {a.tune_data} has no cards/labels.json (the card model's training captures, as "
             "tools/demo.sh writes them); pass the folder the model was trained from, or leave --tune-data out")

import numpy as np, torch
from balatro_cards.learner import load_card_model
from balatro_cards.screens import make_screens, ScreenCards
import inspect
from balatro_cards.detect import (train_detector, load_detector, save_detector, screen_items, valid_thresh,
                                  DET_MOD_PROBS)
from balatro_cards.read import (score_screens, screen_crops, tune_on_screens, reading_order, card_views, crop_margin,
                                read_crops)
from balatro_cards.data import card_img

def log(m): print(f"[{time.strftime('%H:%M:%S')}] {m}", flush=True)
def load(): return [round(o, 2) for o in os.getloadavg()]
t0,times,loads = time.time(),{},dict(start=load())
names = load_card_model(model, device='cpu').names
test = out/'test'
old = json.loads((test/'truth.json').read_text()) if a.keep_screens and (test/'truth.json').is_file() else None
t = time.time()
if old and len(old) == a.n_test and old[0]['seed'] == a.test_seed: truths = old
else:
    if test.exists(): shutil.rmtree(test)
    truths = make_screens(test, n=a.n_test, seed=a.test_seed, prefer=names, prefer_p=a.prefer_p)
times['held_out_screens'] = time.time()-t
log(f"held-out: {a.n_test} screens, {sum(len(o['cards']) for o in truths)} cards in {test} "
    f"({times['held_out_screens']:.0f}s)")

det,info = a.detector,(json.loads((Path(a.detector)/'config.json').read_text()) if a.detector else None)
if det is None:
    det = out/'detector'; t = time.time(); loads['detector_start'] = load()
    _,info = train_detector(det, n_train=a.n_train, n_valid=40, seed=a.seed, epochs=a.epochs, quiet=True)
    info['trained_here'] = True; times['detector'] = time.time()-t; loads['detector_end'] = load()
    log(f"detector: {a.n_train} screens x {a.epochs} epochs in {times['detector']:.0f}s, threshold {info['thresh']}, "
        f"validation F1@0.5 {info['valid_f1']}")

if a.detector and a.rethresh:   # same validation screens as train_detector's: after its training screens, shop-heavy
    t,d,kw = time.time(),load_detector(a.detector),inspect.signature(train_detector).parameters
    draw = dict(shop_p=kw['shop_p'].default, voucher_p=kw['voucher_p'].default,
                mod_probs=info.get('mod_probs'))   # detectors saved before `mod_probs` trained on the game's mix
    own = info.get('cards')   # trained on screens of captures (`balatro_detector --cards`): redraw from the same ones
    if own and not Path(own).is_file():
        sys.exit(f"screens: --rethresh: {a.detector} was trained on screens of captures {own!r}, not found here")
    val = screen_items(40, info['seed'], start=info['n_train'], reg=d.reg, cards=own and ScreenCards(own), **draw)
    th,f1 = valid_thresh(d.model, val, reg=d.reg)   # decoded as the detector decodes (`reg` from its config)
    drop = ('format','det_size','stride','saved_at','weights','weights_sha256')
    keep = {k:v for k,v in info.items() if k not in drop}
    info = dict(keep, thresh=th, valid_f1=round(f1, 4), rethresh_from=dict(path=str(a.detector), thresh=info['thresh']),
                **draw)
    det = out/'detector_rethresh'; save_detector(d.model, det, info, refiner=d.refiner)
    times['rethresh'] = time.time()-t
    log(f"detector {a.detector}: threshold {keep['thresh']} -> {th} (validation F1@0.5 {f1:.4f}) -> {det}")

reader,tune = model,None
if a.tuned: reader = Path(a.tuned)
elif a.tune_data:
    td,t = Path(a.tune_data),time.time()
    crops = out/f'crops_{a.tune_art}'
    old = json.loads((crops/'labels.json').read_text()) if (crops/'labels.json').is_file() else []
    if not (old and all(o.get('cut') for o in old) and len({o['screen'] for o in old}) == a.n_crops):
        if crops.exists(): shutil.rmtree(crops)   # none yet, or cut otherwise: cut again
        art = dict(cards=ScreenCards(td/'cards'/'labels.json')) if a.tune_art == 'captures' else {}
        screen_crops(crops, n=a.n_crops, seed=500, mod_probs=DET_MOD_PROBS, **art)   # editions mixed as the detector's
    times['crops'] = time.time()-t; t = time.time()
    reader = out/'card_model_tuned'
    tp = tune_on_screens(model, td/'cards'/'labels.json', crops, reader, aug_json=td/'augmented'/'augmented.json',
                         epochs=a.tune_epochs, budget=a.tune_budget, seed=a.seed)
    times['tune'] = time.time()-t
    tune = dict(tp.cfg['extra'], art=a.tune_art, mod_probs=DET_MOD_PROBS)
    if (td/'test_cards'/'labels.json').is_file():   # does the tuned model still read captures? (main job's test deck)
        from balatro_cards.evaluate import evaluate_folder
        tm = evaluate_folder(reader, data_dir=td/"test_cards").metrics
        tune['test_deck'] = dict(path=str(td/'test_cards'), name_top1=round(tm['name_top1'], 4),
                                 modifier_acc=round(tm['modifier_acc'], 4), n_images=tm['n_images'],
                                 by_set={k:round(v['name_acc'], 4) for k,v in tm['per_set'].items()})
        log(f"tuned model on {td/'test_cards'}: names {tm['name_top1']:.3f}, modifiers {tm['modifier_acc']:.3f}")
    log(f"card model tuned on {tune['screen_crops']} screen crops + {tune['captures']} captures "
        f"in {times['tune']:.0f}s")

# read in watch mode: one process, models loaded once, screenshots arriving one at a time
inbox = out/'inbox'
if inbox.exists(): shutil.rmtree(inbox)
inbox.mkdir(parents=True)
t = time.time(); loads['read_start'] = load()
proc = subprocess.Popen(['balatro_read', '--watch', str(inbox), '--max-files', str(len(truths)), '--timeout', '7200',
                         '--model', str(reader), *a.also_model, '--detector', str(det)],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
err = []
threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
while not any('watching' in l for l in err):
    if proc.poll() is not None: sys.exit('screens: balatro_read failed:\n' + ''.join(err))
    time.sleep(0.05)
times['reader_startup'] = time.time()-t
lines,t = [],time.time()
for r in truths:   # drop each screenshot in atomically, wait for its answer, then the next
    src = test/r['file']; tmp = inbox/('.' + r['file'])
    shutil.copy(src, tmp); os.replace(tmp, inbox/r['file'])
    l = proc.stdout.readline()
    if not l: sys.exit(f"screens: balatro_read stopped after {len(lines)} screenshots:\n" + ''.join(err))
    lines.append(json.loads(l))
times['read_all'] = time.time()-t; loads['read_end'] = load()
proc.wait()
by = {Path(o['file']).name: o for o in lines}
results = [by[r['file']]['cards'] for r in truths]
secs = [by[r['file']]['seconds'] for r in truths]
secs1080 = [s for s,r in zip(secs, truths) if r['size']==[1920, 1080]]
metrics = score_screens(results, truths, known=names)
def only(row): return [dict(t, cards=[c for c in t['cards'] if c['row']==row]) for t in truths]
rows = {row: score_screens(results, only(row))['card_acc'] for row in ('jokers','consumables','hand')}

# the same reading in-process, stage by stage, wall and CPU seconds (CPU time is less sensitive to other jobs)
pred,dt = load_card_model(reader, device='cpu'),load_detector(det)
if a.also_model: pred = [pred] + [load_card_model(m, device='cpu') for m in a.also_model]
def clock(f):
    w,c = time.perf_counter(),time.process_time(); r = f()
    return r,(time.perf_counter()-w, time.process_time()-c)
stages = {k:[] for k in ('open','detect','crop','read','total')}
margin = crop_margin(pred)
for r in [o for o in truths if o['size']==[1920, 1080]]*3:
    img,s1 = clock(lambda: card_img(test/r['file']))
    d,s2 = clock(lambda: dt.detect(img)[0])
    crops,s3 = clock(lambda: [card_views(img, d['boxes'][i], d['angles'][i], margin)
                              for i in reading_order(d['boxes'])])
    _,s4 = clock(lambda: read_crops(pred, crops))
    for k,s in zip(stages, (s1, s2, s3, s4, tuple(map(sum, zip(s1, s2, s3, s4))))): stages[k].append(s)
med = {k:dict(wall=round(float(np.median([o[0] for o in v])), 4), cpu=round(float(np.median([o[1] for o in v])), 4))
       for k,v in stages.items()}
loads['end'] = load()

res = dict(metrics=metrics, card_acc_by_row=rows,
           seconds_per_screenshot=dict(mean=round(sum(secs)/len(secs), 3), max=round(max(secs), 3),
                                       mean_1920x1080=round(sum(secs1080)/len(secs1080), 3) if secs1080 else None,
                                       n_1920x1080=len(secs1080),
                                       wall_per_screenshot=round(times['read_all']/len(truths), 3)),
           stages_1920x1080_median=med,
           card_model=dict(path=str(reader), names=len(names), tuned=tune, base=str(model), also=a.also_model),
           detector=dict(path=str(det), **{k:info.get(k) for k in ('thresh','valid_f1','n_train','epochs','shop_p',
                                                                    'voucher_p','seconds','load_avg','trained_here',
                                                                    'rethresh_from','refiner')}),
           seconds={k:round(v, 1) for k,v in times.items()}, total_seconds=round(time.time()-t0, 1),
           setup=dict(n_test=a.n_test, test_seed=a.test_seed, prefer_p=a.prefer_p,
                      torch_threads=torch.get_num_threads(), cpus=os.cpu_count(), load_avg=loads))
Path(a.results).parent.mkdir(parents=True, exist_ok=True)
Path(a.results).write_text(json.dumps(res, indent=1))
(out/'readings.jsonl').write_text(''.join(json.dumps(o) + '\n' for o in lines))
m = metrics
print(f"done in {res['total_seconds']:.0f}s ({', '.join(f'{k} {v:.0f}s' for k,v in res['seconds'].items())})")
print(f"detection: precision/recall @0.5 {m['precision50']}/{m['recall50']}, @0.75 {m['precision75']}/{m['recall75']}, "
      f"look-alikes reported {m['lookalike_detections']}")
print(f"end to end: name+edition right {m['card_acc']} of {m['cards']} cards (known names: {m['known_card_acc']} of "
      f"{m['known_cards']}), screens entirely right {m['screens_right']} "
      f"(all-known screens: {m['known_screens_right']} of {m['known_screens']})")
print(f"seconds per 1920x1080 screenshot (watch mode): {res['seconds_per_screenshot']['mean_1920x1080']}; in-process "
      f"median wall {med['total']['wall']} s, cpu {med['total']['cpu']} s; load {loads}; results -> {a.results}")
