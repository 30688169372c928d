#!/usr/bin/env python
"""Benchmark (not a test) of `balatro_cards.augment`: variants/second with one process vs all cores on a demo deck.

Builds a demo deck in a temporary folder, runs `augment` from scratch with `n_workers=1` and with every core
(`repeats` times each, interleaved, best time kept: the machine may be shared), checks both produce identical files, and writes
`bench/augment_results.json`. On a shared Linux machine with scheduler autogroups, other sessions take CPU from the run
whatever its nice value; to measure what the code can do, give its session a larger share:

    setsid bash -c 'echo -10 > /proc/self/autogroup && exec python bench/augment_bench.py'

    python bench/augment_bench.py [--n_cards 60] [--scale 2] [--img_size 224] [--repeats 3] [--out bench/augment_results.json]
"""
import argparse, hashlib, json, os, platform, shutil, sys, tempfile, time
from pathlib import Path
from balatro_cards.core import save_json
from balatro_cards.deck import make_deck
import balatro_cards.augment as _aug
from balatro_cards.augment import augment
from fastcore.parallel import num_cpus

def _cpu_model():
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or platform.machine()

def _autogroup():
    "This process's scheduler autogroup and its nice value (Linux), which is what sets its CPU share against other sessions."
    try: return Path('/proc/self/autogroup').read_text().strip()
    except OSError: return None

def _cpu():
    "CPU seconds used so far by this process and its finished children (the workers)."
    import resource
    s,c = resource.getrusage(resource.RUSAGE_SELF),resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

_T = {}
_run0 = _aug._run
def _timed_run(*args, **kw):
    "`augment`'s parallel section, timed: the rest of a run is serial work in the main process."
    t = time.perf_counter(); yield from _run0(*args, **kw); _T['pool'] = time.perf_counter() - t
_aug._run = _timed_run

def _digest(d:Path):
    "One hash over every file (path + bytes) under `d`."
    h = hashlib.sha1()
    for p in sorted(d.rglob('*')):
        if p.is_file(): h.update(p.relative_to(d).as_posix().encode()); h.update(p.read_bytes())
    return h.hexdigest()

def main(n_cards=60, img_size=224, repeats=3, scale=2, out='bench/augment_results.json'):
    cores = num_cpus()
    load0 = [round(o, 2) for o in os.getloadavg()] if hasattr(os, 'getloadavg') else None
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        t = time.time(); make_deck(d/'cards', n_cards=n_cards, seed=0, scale=scale); t_deck = time.time()-t
        runs,digests = {nw:dict(n_workers=nw, seconds=[], cpu_seconds=[]) for nw in sorted({1, cores})},{}
        for _ in range(repeats):                  # interleaved, so a burst of load elsewhere hits both settings alike
            for nw,run in runs.items():
                shutil.rmtree(d/'aug', ignore_errors=True)
                c0 = _cpu(); t = time.perf_counter()
                res = augment(data_dir=d/'cards', aug_dir=d/'aug', img_size=img_size, n_workers=nw, progress=False)
                wall = time.perf_counter()-t
                run['seconds'].append(round(wall, 3)); run['cpu_seconds'].append(round(_cpu()-c0, 3))
                run.setdefault('serial_seconds', []).append(round(wall - _T['pool'], 3))
                assert res.written == res.variants and not res.bad, res
                run['variants'] = res.variants
                digests[nw] = _digest(d/'aug')
        for run in runs.values():
            run['best_seconds'] = min(run['seconds'])
            run['variants_per_s'] = round(run['variants']/run['best_seconds'], 1)
            i = run['seconds'].index(run['best_seconds'])
            run['effective_cores'] = round(run['cpu_seconds'][i]/run['best_seconds'], 2)   # CPU time / wall time: < n_workers when the machine is shared
        assert len(set(digests.values())) == 1, f"serial and parallel runs wrote different files: {digests}"
    single,multi = runs[1],runs[cores]
    result = dict(benchmark='balatro_cards.augment: variants/s, one process vs all cores (best of repeats, from scratch)',
                  machine=dict(cpu=_cpu_model(), cores=cores, platform=platform.platform(), python=platform.python_version(),
                               load_avg_at_start=load0, niceness=os.nice(0) if hasattr(os, 'nice') else None, autogroup=_autogroup(), load_avg_at_end=[round(o, 2) for o in os.getloadavg()] if hasattr(os, 'getloadavg') else None),
                  deck=dict(n_cards=n_cards, scale=scale, seconds_to_build=round(t_deck, 2)), img_size=img_size, repeats=repeats,
                  single=single, all_cores=multi, speedup=round(single['best_seconds']/multi['best_seconds'], 2),
                  serial_fraction=round(min(single['serial_seconds'])/single['best_seconds'], 4),
                  amdahl_bound=round(1/(f + (1-f)/cores), 2) if (f := min(single['serial_seconds'])/single['best_seconds']) < 1 else 1.0,
                  identical_outputs=True,
                  note=('wall-clock times on a machine that may be shared (see load_avg_*): effective_cores = cpu_seconds/seconds shows '
                        'the CPU share a run actually got; serial_fraction is the part of a one-process run outside the parallel section, '
                        'amdahl_bound the speed-up an idle machine with `cores` cores would allow'))
    save_json(result, out)
    print(json.dumps(result, indent=1))
    return result

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n_cards', type=int, default=60); p.add_argument('--img_size', type=int, default=224)
    p.add_argument('--repeats', type=int, default=3);  p.add_argument('--scale', type=int, default=2)
    p.add_argument('--out', default=str(Path(__file__).resolve().parent/'augment_results.json'))
    a = p.parse_args()
    main(a.n_cards, a.img_size, a.repeats, a.scale, a.out)
