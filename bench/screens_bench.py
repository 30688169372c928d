#!/usr/bin/env python
"""Screen reading, end to end (run by tools/screens.sh): generate held-out game screens -> train the card detector on
generated screens -> read the held-out screens with `balatro_read --watch` (models loaded once) -> score against the
ground truth -> bench/screens_results.json."""
import argparse, json, os, shutil, subprocess, sys, threading, time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
p = argparse.ArgumentParser(description=__doc__)
p.add_argument('--model', default='runs/demo/model', help='card model folder (default: the one `bash tools/demo.sh` writes)')
p.add_argument('--out', default='runs/screens', help='folder for screens, detector and readings')
p.add_argument('--detector', default=None, help='use this trained detector instead of training one')
p.add_argument('--n-test', type=int, default=40, help='held-out screens (sizes 1280x720 to 2560x1440)')
p.add_argument('--test-seed', type=int, default=1001, help='seed of the held-out screens (training screens use --seed)')
p.add_argument('--prefer-p', type=float, default=0.5, help="share of held-out cards drawn from the card model's names")
p.add_argument('--n-train', type=int, default=300, help='detector training screens')
p.add_argument('--epochs', type=int, default=10, help='detector epochs')
p.add_argument('--seed', type=int, default=0)
p.add_argument('--keep-screens', action='store_true', help='reuse the held-out screens already in OUT/test (same --n-test and --test-seed)')
p.add_argument('--results', default='bench/screens_results.json')
a = p.parse_args()
os.chdir(root)
model,out = Path(a.model),Path(a.out)
if not (model/'config.json').is_file():
    sys.exit(f"screens: no card model at {model}: run `bash tools/demo.sh` first (it writes runs/demo/model), or pass --model DIR")

import torch
from balatro_cards.learner import load_card_model
from balatro_cards.screens import make_screens
from balatro_cards.detect import train_detector
from balatro_cards.read import score_screens

def log(m): print(f"[{time.strftime('%H:%M:%S')}] {m}", flush=True)
t0,times = time.time(),{}
load0 = os.getloadavg()
names = load_card_model(model, device='cpu').names
test = out/'test'
old = json.loads((test/'truth.json').read_text()) if a.keep_screens and (test/'truth.json').is_file() else None
t = time.time()
if old and len(old) == a.n_test and old[0]['seed'] == a.test_seed: truths = old
else:
    if test.exists(): shutil.rmtree(test)
    truths = make_screens(test, n=a.n_test, seed=a.test_seed, prefer=names, prefer_p=a.prefer_p)
times['held_out_screens'] = time.time()-t
log(f"held-out: {a.n_test} screens, {sum(len(o['cards']) for o in truths)} cards in {test} ({times['held_out_screens']:.0f}s)")
det,info = a.detector,(json.loads((Path(a.detector)/'config.json').read_text()) if a.detector else None)
if det is None:
    det = out/'detector'; t = time.time()
    _,info = train_detector(det, n_train=a.n_train, n_valid=30, seed=a.seed, epochs=a.epochs, quiet=True); info['trained_here'] = True
    times['detector'] = time.time()-t
    log(f"detector: {a.n_train} screens x {a.epochs} epochs in {times['detector']:.0f}s, threshold {info['thresh']}, validation F1@0.5 {info['valid_f1']}")

# read in watch mode: one process, models loaded once, screenshots arriving one at a time
inbox = out/'inbox'
if inbox.exists(): shutil.rmtree(inbox)
inbox.mkdir(parents=True)
t = time.time()
proc = subprocess.Popen(['balatro_read', '--watch', str(inbox), '--max-files', str(len(truths)), '--timeout', '600',
                         '--model', str(model), '--detector', str(det)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    lines.append(json.loads(proc.stdout.readline()))
times['read_all'] = time.time()-t
proc.wait()
by = {Path(o['file']).name: o for o in lines}
results = [by[r['file']]['cards'] for r in truths]
secs = [by[r['file']]['seconds'] for r in truths]
secs1080 = [s for s,r in zip(secs, truths) if r['size']==[1920, 1080]]
metrics = score_screens(results, truths, known=names)
by_row = {row: score_screens([[c for c in res] for res in results], [dict(t, cards=[c for c in t['cards'] if c['row']==row]) for t in truths])['card_acc']
          for row in ('jokers','consumables','hand')}
res = dict(metrics=metrics, seconds_per_screenshot=dict(mean=round(sum(secs)/len(secs), 3), max=round(max(secs), 3),
           mean_1920x1080=round(sum(secs1080)/len(secs1080), 3) if secs1080 else None, n_1920x1080=len(secs1080),
           wall_per_screenshot=round(times['read_all']/len(truths), 3)),
           card_model=dict(path=str(model), names=len(names)), detector=dict(path=str(det), **{k:info.get(k) for k in ('thresh','valid_f1','n_train','epochs','seconds','trained_here')}),
           seconds={k:round(v, 1) for k,v in times.items()}, total_seconds=round(time.time()-t0, 1),
           setup=dict(n_test=a.n_test, test_seed=a.test_seed, prefer_p=a.prefer_p, torch_threads=torch.get_num_threads(), cpus=os.cpu_count(),
                      load_avg_start=[round(o, 2) for o in load0], load_avg_end=[round(o, 2) for o in os.getloadavg()]))
Path(a.results).parent.mkdir(parents=True, exist_ok=True)
Path(a.results).write_text(json.dumps(res, indent=1))
(out/'readings.jsonl').write_text(''.join(json.dumps(o) + '\n' for o in lines))
m = metrics
print(f"done in {res['total_seconds']:.0f}s ({', '.join(f'{k} {v:.0f}s' for k,v in res['seconds'].items())})")
print(f"detection: precision/recall @0.5 {m['precision50']}/{m['recall50']}, @0.75 {m['precision75']}/{m['recall75']}, look-alikes reported {m['lookalike_detections']}")
print(f"end to end: name+edition right {m['card_acc']} of {m['cards']} cards (known names: {m['known_card_acc']} of {m['known_cards']}), "
      f"screens entirely right {m['screens_right']} (all-known screens: {m['known_screens_right']} of {m['known_screens']})")
print(f"seconds per 1920x1080 screenshot (watch mode): {res['seconds_per_screenshot']['mean_1920x1080']}; results -> {a.results}")
