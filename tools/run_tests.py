#!/usr/bin/env python
"""Run the project's checks: exported code in sync, notebooks clean, README current, then every notebook under
`nbdev_test` (2 at a time); `06_learner` runs as in Jupyter instead: nbclient on the installed `python3` kernel."""
import sys, os, subprocess, time, hashlib, tempfile, shutil
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

root = Path(__file__).resolve().parent.parent
os.chdir(root)
JUPYTER_NB = 'nbs/06_learner.ipynb'   # opened and run top to bottom in Jupyter, as the README set-up allows

def _snapshot(d, pat): return {p: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(Path(d).rglob(pat))}

def _unchanged(cmd, d, pat, what, fix):
    "Run `cmd`; True if it left the `pat` files under `d` as they were, else say which it changed."
    before = _snapshot(d, pat)
    subprocess.run(cmd, check=True)
    after = _snapshot(d, pat)
    changed = sorted(str(p) for p in set(before)|set(after) if before.get(p) != after.get(p))
    print(f"{what}: {cmd[0]} changed {', '.join(changed)} ({fix})" if changed else f'{what}: ok')
    return not changed

def check_export(): return _unchanged(['nbdev_export'], 'balatro_cards', '*.py', 'exported code in sync', 'commit it')
def check_clean():  return _unchanged(['nbdev_clean'], 'nbs', '*.ipynb', 'notebooks clean', 'commit them')
def check_readme(): return subprocess.run([sys.executable, 'tools/make_readme.py', '--check']).returncode == 0

# Every notebook's temporary folders go under one folder made for this run and removed at its end, so repeated runs
# (and notebooks stopped half way) never fill the disk.
TMP = tempfile.mkdtemp(prefix='balatro_tests_')

def _env(): return {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'), 'MPLBACKEND': 'Agg',
                    'TMPDIR': TMP}

def run_jupyter(nb):
    "Execute notebook `nb` top to bottom with nbclient on the `python3` kernel (the venv's ipykernel), as Jupyter does."
    code = ("import nbformat, sys; from nbclient import NotebookClient; p = sys.argv[1]; "
            "nb = nbformat.read(p, as_version=4); "
            "NotebookClient(nb, kernel_name='python3', timeout=900, resources={'metadata': {'path': 'nbs'}}).execute()")
    return subprocess.run([sys.executable, '-c', code, str(nb)], capture_output=True, text=True, env=_env())

def test_one(nb):
    t = time.time()
    jup = nb.as_posix() == JUPYTER_NB
    if jup: r = run_jupyter(nb)
    else:   r = subprocess.run(['nbdev_test', '--path', str(nb)], capture_output=True, text=True, env=_env())
    ok = r.returncode == 0
    how = ' (Jupyter kernel, nbclient)' if jup else ''
    print(f"{'PASS' if ok else 'FAIL'} {nb.name}{how} ({time.time()-t:.0f}s)", flush=True)
    if not ok: print(r.stdout[-4000:], r.stderr[-8000:], sep='\n', flush=True)
    return ok

def main(args):
    checks = [check_export(), check_clean(), check_readme()]
    nbs = sorted(Path('nbs').glob('[0-9]*.ipynb')) + [Path('nbs/index.ipynb')]
    if args: nbs = [p for p in nbs if any(a in p.name for a in args)]
    nbs = sorted(nbs, key=lambda p: p.as_posix() != JUPYTER_NB)   # the longest run starts first
    t = time.time()
    with ThreadPoolExecutor(int(os.environ.get('TEST_WORKERS', 2))) as ex: res = list(ex.map(test_one, nbs))
    print(f'notebooks took {time.time()-t:.0f}s; checks: {"ok" if all(checks) else "FAILED"}')
    npass = sum(res); nfail = len(res) - npass + checks.count(False)   # a failed sync/clean/README check is a failure
    print(f'{npass} passed, {nfail} failed')
    return 0 if nfail == 0 and all(checks) else 1

if __name__ == '__main__':
    try: rc = main(sys.argv[1:])
    finally: shutil.rmtree(TMP, ignore_errors=True)
    sys.exit(rc)
