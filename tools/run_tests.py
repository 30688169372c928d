#!/usr/bin/env python
"Run the project's checks: exported code in sync, README current, then every notebook under `nbdev_test` (2 at a time)."
import sys, os, subprocess, time, hashlib
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

root = Path(__file__).resolve().parent.parent
os.chdir(root)

def _snapshot(d): return {p: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(Path(d).rglob('*.py'))}

def check_export():
    before = _snapshot('balatro_cards')
    subprocess.run(['nbdev_export'], check=True)
    after = _snapshot('balatro_cards')
    changed = sorted(str(p) for p in set(before)|set(after) if before.get(p) != after.get(p))
    if changed: print('NOT IN SYNC: nbdev_export changed', ', '.join(changed), '(commit the exported code)')
    else: print('exported code is in sync with the notebooks')
    return not changed

def check_readme(): return subprocess.run([sys.executable, 'tools/make_readme.py', '--check']).returncode == 0

def test_one(nb):
    t = time.time()
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'), 'MPLBACKEND': 'Agg'}
    r = subprocess.run(['nbdev_test', '--path', str(nb)], capture_output=True, text=True, env=env)
    ok = r.returncode == 0
    print(f"{'PASS' if ok else 'FAIL'} {nb.name} ({time.time()-t:.0f}s)", flush=True)
    if not ok: print(r.stdout[-4000:], r.stderr[-8000:], sep='\n', flush=True)
    return ok

def main(args):
    checks = [check_export(), check_readme()]
    nbs = sorted(Path('nbs').glob('[0-9]*.ipynb')) + [Path('nbs/index.ipynb')]
    if args: nbs = [p for p in nbs if any(a in p.name for a in args)]
    t = time.time()
    with ThreadPoolExecutor(int(os.environ.get('TEST_WORKERS', 2))) as ex: res = list(ex.map(test_one, nbs))
    print(f'notebooks took {time.time()-t:.0f}s; checks: {"ok" if all(checks) else "FAILED"}')
    npass = sum(res); nfail = len(res) - npass + checks.count(False)   # a failed sync/README check counts as a failure
    print(f'{npass} passed, {nfail} failed')
    return 0 if nfail == 0 and all(checks) else 1

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
