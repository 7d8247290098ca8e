#!/usr/bin/env python3
"""A small, bounded load for the fault tests: writer threads record observations (POST .../observations, 201 = an
acknowledged write whose id is kept), reader threads read the census and a chart, all through one base URL.

Every request is logged (start, end, kind, status, id) to --out as JSON lines; the summary printed at the end gives the
counts per status, the acknowledged ids, and the longest time without a successful write or read (the outage as the
users saw it). It stops by itself after --duration seconds; no request waits more than --timeout seconds.

Usage: load.py --base http://127.0.0.1:18080 --token TOKEN --patients 1719,752 --duration 60 --writers 4 --readers 2
       --out run.jsonl
"""
import argparse
import json
import threading
import time
import urllib.error
import urllib.request


def request(method, url, token, body, timeout):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers
    except Exception as e:  # connection refused, reset, timeout: the request failed without an answer
        return 0, str(e).encode(), {}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--patients", required=True, help="comma-separated patient ids the token's account may write to")
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--writers", type=int, default=4)
    p.add_argument("--readers", type=int, default=2)
    p.add_argument("--pause", type=float, default=0.05, help="seconds each thread waits between its requests")
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--out", required=True)
    p.add_argument("--stop-file", help="stop early once this file exists (the duration stays the upper bound)")
    a = p.parse_args()
    patients = [int(x) for x in a.patients.split(",") if x]
    t0 = time.time()
    end = t0 + a.duration
    lock = threading.Lock()
    records = []
    import os

    def running():
        return time.time() < end and not (a.stop_file and os.path.exists(a.stop_file))

    def log(rec):
        with lock:
            records.append(rec)

    def writer(n):
        i = 0
        while running():
            pid = patients[(n + i) % len(patients)]
            s = time.time()
            if i % 4 == 3:  # one write in four is a clinical note, the others observations
                table = "clinical_note"
                status, body, headers = request("POST", f"{a.base}/api/patients/{pid}/notes", a.token,
                                                {"kind": "PROGRESS", "title": "Transmission", "body": f"load {n}.{i}"},
                                                a.timeout)
            else:
                table = "observation"
                status, body, headers = request("POST", f"{a.base}/api/patients/{pid}/observations", a.token,
                                                {"kind": "HEART_RATE", "value": 40 + (i % 150)}, a.timeout)
            rec = {"kind": "write", "table": table, "start": s, "end": time.time(), "status": status, "patient": pid,
                   "retryAfter": headers.get("Retry-After")}
            if status == 201:
                rec["id"] = json.loads(body)["id"]
            elif status != 0:
                rec["body"] = body[:200].decode(errors="replace")
            else:
                rec["error"] = body[:200].decode(errors="replace")
            log(rec)
            i += 1
            time.sleep(a.pause)

    def reader(n):
        i = 0
        while running():
            pid = patients[(n + i) % len(patients)]
            url = f"{a.base}/api/inpatients" if i % 2 == 0 else f"{a.base}/api/patients/{pid}/observations"
            s = time.time()
            status, body, headers = request("GET", url, a.token, None, a.timeout)
            rec = {"kind": "read", "start": s, "end": time.time(), "status": status,
                   "retryAfter": headers.get("Retry-After")}
            if status not in (200, 0):
                rec["body"] = body[:200].decode(errors="replace")
            elif status == 0:
                rec["error"] = body[:200].decode(errors="replace")
            log(rec)
            i += 1
            time.sleep(a.pause)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(a.writers)]
    threads += [threading.Thread(target=reader, args=(n,)) for n in range(a.readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records.sort(key=lambda r: r["start"])
    with open(a.out, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    summary = {"requests": len(records), "seconds": round(time.time() - t0, 1)}
    for kind in ("write", "read"):
        rs = [r for r in records if r["kind"] == kind]
        ok_status = 201 if kind == "write" else 200
        by_status = {}
        for r in rs:
            by_status[str(r["status"])] = by_status.get(str(r["status"]), 0) + 1
        ok_ends = sorted(r["end"] for r in rs if r["status"] == ok_status)
        gap, gap_from = 0.0, None
        for x, y in zip(ok_ends, ok_ends[1:]):
            if y - x > gap:
                gap, gap_from = y - x, x
        summary[kind] = {"byStatus": by_status, "ok": len(ok_ends),
                         "longestGapSeconds": round(gap, 2),
                         "longestGapFrom": round(gap_from - t0, 1) if gap_from else None}
    summary["ackedIds"] = [r["id"] for r in records if r.get("id") is not None and r["table"] == "observation"]
    summary["ackedNoteIds"] = [r["id"] for r in records if r.get("id") is not None and r["table"] == "clinical_note"]
    summary["t0"] = t0
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
