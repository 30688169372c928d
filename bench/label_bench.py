#!/usr/bin/env python
"""Benchmark (not a test): the labelling app (`balatro_label`) driven by keyboard in headless Chromium.

1. Train a model with the main job (`run_pipeline`: deck -> augment -> train) on a demo deck of `--n_cards` cards.
2. Render a folder of *other* captures of the same cards (new positions, backdrops, blur, JPEG and editions drawn with the
   deck's edition mix): images the model never saw, and no labels file.
3. Serve the folder with `balatro_label --model` and label it with `label.keyboard_label`, the robot user of the browser
   test: Enter when the proposal is right, otherwise a digit for the edition and the name typed (with a typo in every
   third). Then the same folder without a model (every name typed).
4. Write the share of proposals accepted unchanged and the labels per minute to `bench/label_results.json`.

The robot types at machine speed, so labels per minute is the app's ceiling (browser events, search requests, the
atomic write and the next image), not a person's pace:

    python bench/label_bench.py [--n_cards 20] [--per_card 3] [--epochs 12] [--work runs/label_bench]
"""
import argparse, json, os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import numpy as np, torch
from playwright.sync_api import sync_playwright
from balatro_cards.core import MODIFIERS, atomic_save_img, read_records, save_json, slug
from balatro_cards.deck import MOD_PROBS, capture
from balatro_cards.pipeline import DEMO, run_pipeline
from balatro_cards.label import keyboard_label

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def other_captures(names, out, per_card, seed):
    "Write `per_card` new captures of every card in `names` to `out`; {file: (name, modifier)}."
    rng,truth = np.random.default_rng(seed),{}
    for nm in names:
        for j in range(per_card):
            mod = str(rng.choice(list(MOD_PROBS), p=np.array(list(MOD_PROBS.values()))/sum(MOD_PROBS.values())))
            f = f'{slug(nm)}_{j}.png'
            atomic_save_img(capture(nm, rng, mod, float(rng.random()))[0], out/f); truth[f] = (nm, mod)
    return truth

def label_run(folder, truth, model=None):
    "Serve `folder` with `balatro_label`, label it all by keyboard in Chromium; the robot's counts and the file's accuracy."
    port = free_port()
    args = [sys.executable, '-c', 'from balatro_cards.label import balatro_label; balatro_label()', '--data', str(folder), '--port', str(port)]
    p = subprocess.Popen(args + (['--model', str(model)] if model else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t0 = time.time()
    try:
        while True:
            try: urllib.request.urlopen(f'http://127.0.0.1:{port}/api/state', timeout=2); break
            except OSError:
                if p.poll() is not None or time.time()-t0 > 300: raise RuntimeError(p.stdout.read())
                time.sleep(0.2)
        start_s = time.time()-t0
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path='/usr/bin/chromium', args=['--no-sandbox'])
            page = b.new_page(viewport=dict(width=1100, height=720))
            page.goto(f'http://127.0.0.1:{port}/'); page.wait_for_function('document.body.dataset.ready == "1"')
            r = keyboard_label(page, truth)
            r['progress'] = page.inner_text('#progress')
            b.close()
    finally: p.terminate(); p.wait(30)
    got = {o['file']:(o['name'], o['modifier']) for o in read_records(folder/'labels.json')}
    r.update(images=len(truth), labelled=len(got), correct=sum(got.get(f) == t for f,t in truth.items()), server_start_s=round(start_s, 1),
             accepted_share=round(r['accepted']/r['decisions'], 4) if r['decisions'] else None)
    return r

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--n_cards', type=int, default=20); ap.add_argument('--per_card', type=int, default=3)
    ap.add_argument('--epochs', type=int, default=DEMO['epochs']); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--work', default='runs/label_bench'); ap.add_argument('--out', default=str(Path(__file__).parent/'label_results.json'))
    a = ap.parse_args()
    work = Path(a.work); shutil.rmtree(work, ignore_errors=True)
    t = time.time()
    job = run_pipeline(work/'job', demo=True, n_cards=a.n_cards, seed=a.seed, epochs=a.epochs, quiet=True)
    train_s = time.time()-t
    names = sorted({o['name'] for o in read_records(work/'job'/'cards'/'labels.json')})
    truth = other_captures(names, work/'folder', a.per_card, seed=1000+a.seed)
    shutil.copytree(work/'folder', work/'folder_nomodel')
    with_model = label_run(work/'folder', truth, work/'job'/'model')
    without = label_run(work/'folder_nomodel', truth)
    res = dict(date=time.strftime('%Y-%m-%d'), machine=f'{os.cpu_count()} CPU cores, shared with other jobs (load average {os.getloadavg()[0]:.1f} at the end)',
               torch_threads=torch.get_num_threads(),
               model=dict(trained_on=f'demo deck seed {a.seed}, {a.n_cards} cards, {job["config"]["size"]} px, {a.epochs} epochs (run_pipeline)',
                          held_out_name_top1=job['name_top1'], held_out_modifier_acc=job['modifier_acc'], train_seconds=round(train_s)),
               folder=dict(images=len(truth), cards=len(names), what=f'{a.per_card} new captures per card (capture seed {1000+a.seed}), editions drawn from deck.MOD_PROBS'),
               with_model=with_model, without_model=without,
               note='Robot user (label.keyboard_label): Enter when the proposal is right, else edition digit + typed name (typo in every third). '
                    'Labels per minute is the app ceiling, not a human pace. accepted_share = decisions where the proposal (name and edition) was right.')
    save_json(res, a.out)
    print(json.dumps(res, indent=1))
