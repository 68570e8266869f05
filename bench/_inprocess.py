"""The limit: the same programs executed in plain processes (one per core), no isolation at all."""

import json
import multiprocessing
import sys
import time


def run(item):
    program, test, entry = item
    namespace = {}
    try:
        exec(program + "\n" + test + f"\ncheck({entry})", namespace)
        return True
    except BaseException:
        return False


def main():
    path, problems_path, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    problems = {p["task_id"]: p for p in map(json.loads, open(problems_path))}
    items = []
    for line in open(path):
        s = json.loads(line)
        p = problems[s["task_id"]]
        items.append((p["prompt"] + s["completion"], p["test"], p["entry_point"]))
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        passed = sum(pool.map(run, items, chunksize=16))
    print(json.dumps({"seconds": time.perf_counter() - started, "passed": passed, "samples": len(items)}))


if __name__ == "__main__":
    main()
