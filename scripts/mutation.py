#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Mutation testing for memspike: apply each mutant of a list, rebuild, run its tests, report.

Each mutant (tests/mutation/mutants.toml) names a file, an exact original text, its replacement
and the tests that should notice: Catch2 test specs (`catch`, run with `-#` so that file tags
such as [#test_stdp] work), a ctest regex (`ctest`) and pytest node ids (`pytest`). A mutant is
KILLED when any of them fails (or times out), SURVIVED when all pass.

Everything happens in a scratch git worktree of HEAD (default /tmp/memspike-mutation), never in
the caller's tree: uncommitted changes are not mutated. The scratch tree and its build directory
are kept between runs, so that later runs rebuild incrementally (ccache, with CCACHE_BASEDIR so
that its cache entries do not depend on the worktree's path). Before any mutant, the list is
checked: a mutant whose file is missing, or whose original text is not found exactly once, is
refused, so that the list cannot rot silently when the code changes. Then the unmutated tree's
tests are run once (a test that fails without a mutation would count every mutant as killed).

    scripts/mutation.py                 # every mutant
    scripts/mutation.py --check         # only check the list against HEAD
    scripts/mutation.py --only adc_negative_clip,idle_power_unit
    scripts/mutation.py --sample 5      # a seeded random sample (e.g. for CI)
"""
import argparse
import os
import random
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_BINARY = "tests/memspike_tests"


def run(cmd, cwd, timeout=None, env=None, quiet=True):
    """Runs cmd; returns (ok, seconds, tail of output). A timeout counts as a failure."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        ok, out = p.returncode == 0, p.stdout
    except subprocess.TimeoutExpired as e:
        ok, out = False, f"TIMEOUT after {timeout} s\n" + (e.stdout or b"").decode(errors="replace")
    if not quiet:
        print(out)
    return ok, time.monotonic() - t0, out[-3000:]


def load(list_path):
    with open(list_path, "rb") as f:
        data = tomllib.load(f)
    mutants = data.get("mutant", [])
    seen = set()
    for m in mutants:
        for key in ("id", "file", "from", "to"):
            if key not in m:
                sys.exit(f"{list_path}: mutant {m.get('id', '?')}: missing key '{key}'")
        if m["id"] in seen:
            sys.exit(f"{list_path}: mutant id '{m['id']}' is used twice")
        seen.add(m["id"])
        if not (m.get("catch") or m.get("ctest") or m.get("pytest")):
            sys.exit(f"{list_path}: mutant {m['id']}: names no tests (catch, ctest or pytest)")
        if m["from"] == m["to"]:
            sys.exit(f"{list_path}: mutant {m['id']}: 'to' equals 'from'")
    return mutants


def check_list(mutants, tree):
    """The refusals: every original text must occur exactly once in its file."""
    bad = []
    for m in mutants:
        path = tree / m["file"]
        if not path.is_file():
            bad.append(f"{m['id']}: {m['file']} does not exist")
            continue
        n = path.read_text().count(m["from"])
        if n != 1:
            bad.append(f"{m['id']}: the original text occurs {n} times in {m['file']} (must be exactly 1): {m['from']!r}")
    return bad


def targets_of(m):
    t = []
    if m.get("catch"):
        t.append("memspike_tests")
    if m.get("ctest"):
        t.append("memspike")  # the refsim and CLI ctests drive the CLI
    if m.get("pytest"):
        t.append("_memspike")
    return t


def run_tests(m, scratch, build, timeout):
    """Runs the mutant's tests, cheapest first, stopping at the first failure. Returns (killed_by, s)."""
    total = 0.0
    env = dict(os.environ, PYTHONPATH=str(build / "python"), MEMSPIKE_CLI=str(build / "cli" / "memspike"))
    for spec in m.get("catch", []):
        ok, s, _ = run([str(build / TEST_BINARY), "-#", spec], scratch, timeout, env)
        total += s
        if not ok:
            return f"catch {spec}", total
    if m.get("ctest"):
        ok, s, _ = run(["ctest", "--test-dir", str(build), "-R", m["ctest"], "--timeout", str(timeout)],
                       scratch, timeout * 4, env)
        total += s
        if not ok:
            return f"ctest {m['ctest']}", total
    if m.get("pytest"):
        ok, s, _ = run(["/usr/bin/python3", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *m["pytest"]],
                       scratch, timeout, env)
        total += s
        if not ok:
            return "pytest", total
    return None, total


def prepare_scratch(scratch):
    head = subprocess.check_output(["git", "-C", str(ROOT), "rev-parse", "HEAD"], text=True).strip()
    if not (scratch / ".git").exists():
        subprocess.check_call(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(scratch), head])
    else:
        subprocess.check_call(["git", "-C", str(scratch), "checkout", "--quiet", "--detach", head])
        subprocess.check_call(["git", "-C", str(scratch), "reset", "--quiet", "--hard", head])
    return head


def configure(scratch, build, env):
    if not (build / "build.ninja").exists():
        subprocess.check_call(["cmake", "-S", str(scratch), "-B", str(build), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                               "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"], env=env, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", default=str(ROOT / "tests/mutation/mutants.toml"))
    ap.add_argument("--scratch", default="/tmp/memspike-mutation")
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--sample", type=int, help="run a random sample of this many mutants")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per test command (a timeout kills the mutant)")
    ap.add_argument("--check", action="store_true", help="only check the list against HEAD")
    ap.add_argument("--skip-baseline", action="store_true", help="do not run the unmutated tests first")
    ap.add_argument("--report", help="also write the result table (markdown) here")
    a = ap.parse_args()

    mutants = load(a.list)
    if a.only:
        want = a.only.split(",")
        unknown = sorted(set(want) - {m["id"] for m in mutants})
        if unknown:
            sys.exit(f"unknown mutant ids: {', '.join(unknown)}")
        by_id = {m["id"]: m for m in mutants}
        mutants = [by_id[i] for i in want]  # in the order given
    if a.sample:
        mutants = random.Random(a.seed).sample(mutants, min(a.sample, len(mutants)))

    if a.check:
        bad = check_list(mutants, ROOT)
        for b in bad:
            print("refused:", b)
        print(f"{len(mutants) - len(bad)} of {len(mutants)} mutants apply to {ROOT}")
        return 1 if bad else 0

    scratch = Path(a.scratch).resolve()
    if scratch == ROOT or ROOT in scratch.parents:
        sys.exit("the scratch tree must lie outside the repository")
    head = prepare_scratch(scratch)
    bad = check_list(mutants, scratch)
    if bad:
        for b in bad:
            print("refused:", b)
        sys.exit(f"{len(bad)} mutant(s) refused: fix tests/mutation/mutants.toml first")

    build = scratch / "build"
    env = dict(os.environ, CCACHE_BASEDIR=str(scratch))
    configure(scratch, build, env)
    targets = sorted({t for m in mutants for t in targets_of(m)})

    def build_targets(ts):
        return run(["cmake", "--build", str(build), "--parallel", str(a.jobs), "--target", *ts], scratch, 3600, env)

    print(f"HEAD {head[:10]}, {len(mutants)} mutants, scratch {scratch}", flush=True)
    ok, s, out = build_targets(targets)
    if not ok:
        sys.exit("the unmutated tree does not build:\n" + out)
    print(f"unmutated build: {s:.0f} s", flush=True)
    if not a.skip_baseline:
        union = {"id": "baseline", "catch": sorted({c for m in mutants for c in m.get("catch", [])}),
                 "ctest": "|".join(sorted({m["ctest"] for m in mutants if m.get("ctest")})),
                 "pytest": sorted({p for m in mutants for p in m.get("pytest", [])})}
        failed, s = run_tests(union, scratch, build, a.timeout)
        if failed:
            sys.exit(f"the unmutated tree fails its tests ({failed}): fix that first")
        print(f"unmutated tests pass: {s:.0f} s", flush=True)

    rows = []
    t_all = time.monotonic()
    for k, m in enumerate(mutants, 1):
        path = scratch / m["file"]
        original = path.read_text()
        t0 = time.monotonic()
        try:
            path.write_text(original.replace(m["from"], m["to"], 1))
            ok, _, out = build_targets(targets_of(m))
            if not ok:
                verdict, by = "stillborn", "does not compile"
            else:
                by, _ = run_tests(m, scratch, build, a.timeout)
                verdict = "killed" if by else "SURVIVED"
        finally:
            path.write_text(original)  # restore, also on Ctrl-C
        dt = time.monotonic() - t0
        rows.append((m["id"], verdict, by or "", dt))
        print(f"[{k}/{len(mutants)}] {m['id']}: {verdict} {('by ' + by) if by else ''} ({dt:.0f} s)", flush=True)

    counted = [r for r in rows if r[1] != "stillborn"]
    killed = sum(r[1] == "killed" for r in counted)
    score = 100.0 * killed / len(counted) if counted else 0.0
    lines = ["| mutant | result | first failing tests | time [s] |", "|---|---|---|---|"]
    lines += [f"| {i} | {v} | {b} | {t:.0f} |" for i, v, b, t in rows]
    lines.append(f"\n{killed} of {len(counted)} killed ({score:.0f} %), "
                 f"{len(rows) - len(counted)} stillborn; {time.monotonic() - t_all:.0f} s for the mutants, HEAD {head[:10]}")
    text = "\n".join(lines)
    print(text)
    if a.report:
        Path(a.report).write_text(text + "\n")
    # Rebuild the restored tree, so that the scratch build matches HEAD for the next run.
    build_targets(targets)
    return 0 if all(r[1] != "SURVIVED" for r in rows) else 3


if __name__ == "__main__":
    sys.exit(main())
