#!/usr/bin/env python3
"""Live-migration and snapshot benchmark: papr beside QEMU 7.2, same guest, same run.

The guest is Debian 12's ppc64le 6.1 kernel with papr's busybox initramfs, 1 GiB of RAM, one
vCPU, booted to its shell. Two workloads:

  idle   the shell waits at its prompt;
  busy   a background shell loop copies a 64 MiB file of random bytes inside tmpfs over and
         over (64 MiB of page cache rewritten per round, at whatever speed the emulator runs).

For each emulator and workload: boot the source, start the workload, live-migrate over
loopback TCP to a second process started to receive it (papr: `papr run --incoming`, the
control socket's `migrate`; QEMU: `-incoming tcp:...`, QMP `migrate`), and check that the
guest answers a command on the destination. Reported: total time and downtime (each
emulator's own figures: papr's MIGRATION event, QEMU's query-migrate) and the bytes sent.
QEMU's migration parameters are set to compare like with like: downtime-limit 300 ms
(papr's limit and QEMU's default), max-bandwidth unlimited (QEMU's default throttles to
32 MiB/s; papr does not throttle).

Snapshots, on the idle guest: papr's control-socket `snapshot` / `papr restore`; QEMU's
equivalent, a migration to a file (`migrate exec:cat > FILE`) and `-incoming exec:cat FILE`.
Save: each emulator's own figure; restore: wall time from process start until the guest runs
(both include process start-up). Snapshot files go to /dev/shm when it exists, so the disk is
not measured. MB/s are of guest RAM (1 GiB) per second.

    scripts/bench-migration.py [--runs N] [--only papr|qemu] [--json FILE]

Needs qemu-system-ppc64 (Debian's qemu-system-ppc) for the QEMU half and builds papr in
release mode. Prints a Markdown table for docs/PERFORMANCE.md.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RAM = "1G"
RAM_MIB = 1024
BOOT_TIMEOUT = 300
MIGRATE_TIMEOUT = 300
BUSY_SETUP = (
    "dd if=/dev/urandom of=/tmp/src bs=1M count=64 2>/dev/null; "
    "(while :; do cat /tmp/src > /tmp/dst; done) & echo BUSY-$((20+1))\n"
)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    """A process whose stdin is the guest console's input and whose stdout goes to a file."""

    def __init__(self, name, argv, tmp):
        self.name = name
        self.out_path = os.path.join(tmp, name + ".out")
        self.err_path = os.path.join(tmp, name + ".err")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=open(self.out_path, "wb"),
            stderr=open(self.err_path, "wb"),
        )

    def output(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def errors(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def type(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def wait_for(self, marker, command=None, timeout=BOOT_TIMEOUT, where=None):
        """Waits until `marker` shows up in stdout (or `where()`), retyping `command` every 3 s."""
        deadline = time.monotonic() + timeout
        last = 0.0
        while time.monotonic() < deadline:
            text = where() if where else self.output()
            if marker in text:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}): {self.errors()[-2000:]}")
            if command and time.monotonic() - last > 3:
                self.type(command)
                last = time.monotonic()
            time.sleep(0.05)
        raise RuntimeError(f"{self.name}: no {marker!r} after {timeout} s; output tail: {self.output()[-1000:]!r}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Qmp:
    """A JSON-lines client for QEMU's QMP or papr's control socket."""

    def __init__(self, path, qemu):
        deadline = time.monotonic() + 30
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.file = self.sock.makefile("rwb")
        self.events = []
        self.read()  # greeting
        if qemu:
            self.call("qmp_capabilities")

    def read(self):
        line = self.file.readline()
        if not line:
            raise RuntimeError("the control connection closed")
        return json.loads(line)

    def call(self, command, **arguments):
        req = {"execute": command}
        if arguments:
            req["arguments"] = arguments
        self.file.write(json.dumps(req).encode() + b"\n")
        self.file.flush()
        while True:
            msg = self.read()
            if "event" in msg:
                self.events.append(msg)
                continue
            if "error" in msg:
                raise RuntimeError(f"{command}: {msg['error']}")
            return msg["return"]

    def wait_event(self, name, timeout):
        self.sock.settimeout(timeout)
        try:
            while True:
                for e in self.events:
                    if e["event"] == name:
                        self.events.remove(e)
                        return e
                self.events.append(self.read())
        finally:
            self.sock.settimeout(None)


def shm_dir(tmp):
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else tmp


# ---------------------------------------------------------------------------------------------
# papr


def papr_argv(papr, art, extra):
    return [papr, "run", "-m", RAM, "--smp", "1"] + extra


def papr_source(papr, art, tmp, name):
    sock = os.path.join(tmp, name + ".sock")
    argv = papr_argv(papr, art, ["--kernel", art["kernel"], "--initrd", art["initrd"],
                                 "--append", "console=hvc0", "--control", sock])
    g = Guest(name, argv, tmp)
    g.wait_for("BOOT-42", "echo BOOT-$((40+2))\n")
    return g, Qmp(sock, qemu=False)


def live_migration(src, busy, start_destination, migrate):
    """Starts the workload on `src`, a destination (`start_destination(port)`), migrates
    (`migrate(port)` returns the figures) and checks the guest answers on the destination."""
    dst = None
    try:
        if busy:
            src.type(BUSY_SETUP)
            src.wait_for("BUSY-21", timeout=BOOT_TIMEOUT)
            time.sleep(3)
        port = free_port()
        dst = start_destination(port)
        result = migrate(port)
        dst.wait_for("AFTER-7", "echo AFTER-$((3+4))\n", timeout=60)
        return result
    finally:
        src.stop()
        if dst:
            dst.stop()


def papr_migrate(papr, art, tmp, busy):
    tag = "papr-" + ("busy" if busy else "idle")
    src, ctl = papr_source(papr, art, tmp, tag + "-src")

    def destination(port):
        # Started with the same kernel and initrd (as QEMU's destination is): they do not travel.
        dst = Guest(tag + "-dst", papr_argv(papr, art, ["--incoming", f"tcp:127.0.0.1:{port}",
                                                        "--kernel", art["kernel"],
                                                        "--initrd", art["initrd"]]), tmp)
        dst.wait_for("waiting for a migration", where=dst.errors, timeout=30)
        return dst

    def migrate(port):
        ctl.call("migrate", uri=f"tcp:127.0.0.1:{port}")
        ev = ctl.wait_event("MIGRATION", MIGRATE_TIMEOUT)["data"]
        if ev["status"] != "completed":
            raise RuntimeError(f"papr migration failed: {ev}")
        return {"total_ms": ev["total_ms"], "downtime_ms": ev["downtime_ms"],
                "mib": ev["bytes"] / 2**20, "passes": ev["passes"]}

    return live_migration(src, busy, destination, migrate)


def papr_snapshot(papr, art, tmp):
    src, ctl = papr_source(papr, art, tmp, "papr-snap-src")
    path = os.path.join(shm_dir(tmp), f"papr-bench-{os.getpid()}.snap")
    try:
        r = ctl.call("snapshot", file=path)
        save_s = r["seconds"]
        src.stop()

        def restored(g):
            g.wait_for("restored", where=g.errors, timeout=120)

        return restore_and_check(lambda: Guest("papr-restore", [papr, "restore", path], tmp),
                                 restored, save_s, path)
    finally:
        src.stop()
        if os.path.exists(path):
            os.unlink(path)


def restore_and_check(start, ready, save_s, path):
    """Times `start()` until `ready(guest)`, checks the restored guest answers, stops it."""
    size = os.path.getsize(path)
    t0 = time.monotonic()
    g = start()
    try:
        ready(g)
        restore_s = time.monotonic() - t0
        g.wait_for("AFTER-7", "echo AFTER-$((3+4))\n", timeout=60)
    finally:
        g.stop()
    return {"save_s": save_s, "restore_s": restore_s, "file_mib": size / 2**20}


# ---------------------------------------------------------------------------------------------
# QEMU


def qemu_argv(art, sock, extra):
    return ["qemu-system-ppc64", "-M", "pseries,x-vof=on", "-cpu", "POWER9", "-m", RAM,
            "-smp", "1", "-nodefaults", "-display", "none", "-serial", "stdio",
            "-qmp", f"unix:{sock},server=on,wait=off",
            "-kernel", art["kernel"], "-initrd", art["initrd"],
            "-append", "console=hvc0 disable_radix"] + extra


def qemu_source(art, tmp, name):
    sock = os.path.join(tmp, name + ".qmp")
    g = Guest(name, qemu_argv(art, sock, []), tmp)
    q = Qmp(sock, qemu=True)
    g.wait_for("BOOT-42", "echo BOOT-$((40+2))\n")
    q.call("migrate-set-parameters", **{"downtime-limit": 300, "max-bandwidth": 1 << 40})
    return g, q


def qemu_wait_migration(q):
    deadline = time.monotonic() + MIGRATE_TIMEOUT
    while time.monotonic() < deadline:
        r = q.call("query-migrate")
        if r.get("status") == "completed":
            return r
        if r.get("status") in ("failed", "cancelled"):
            raise RuntimeError(f"QEMU migration: {r}")
        time.sleep(0.02)
    raise RuntimeError("QEMU migration did not complete")


def qemu_migrate(art, tmp, busy):
    tag = "qemu-" + ("busy" if busy else "idle")
    src, q = qemu_source(art, tmp, tag + "-src")

    def destination(port):
        dsock = os.path.join(tmp, tag + "-dst.qmp")
        dst = Guest(tag + "-dst", qemu_argv(art, dsock, ["-incoming", f"tcp:127.0.0.1:{port}"]), tmp)
        Qmp(dsock, qemu=True)  # the destination listens once its QMP answers
        return dst

    def migrate(port):
        q.call("migrate", uri=f"tcp:127.0.0.1:{port}")
        r = qemu_wait_migration(q)
        return {"total_ms": r["total-time"], "downtime_ms": r["downtime"],
                "mib": r["ram"]["transferred"] / 2**20, "passes": r["ram"]["dirty-sync-count"]}

    return live_migration(src, busy, destination, migrate)


def qemu_snapshot(art, tmp):
    src, q = qemu_source(art, tmp, "qemu-snap-src")
    path = os.path.join(shm_dir(tmp), f"qemu-bench-{os.getpid()}.snap")
    try:
        q.call("migrate", uri=f"exec:cat > {path}")
        r = qemu_wait_migration(q)
        save_s = r["total-time"] / 1e3
        src.stop()
        sock = os.path.join(tmp, "qemu-restore.qmp")

        def running(_g):
            rq = Qmp(sock, qemu=True)
            while rq.call("query-status")["status"] == "inmigrate":
                time.sleep(0.005)

        return restore_and_check(
            lambda: Guest("qemu-restore", qemu_argv(art, sock, ["-incoming", f"exec:cat {path}"]), tmp),
            running, save_s, path)
    finally:
        src.stop()
        if os.path.exists(path):
            os.unlink(path)


# ---------------------------------------------------------------------------------------------


def median_of(runs):
    keys = runs[0].keys()
    return {k: statistics.median(r[k] for r in runs) for k in keys}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=1, help="repetitions of each measurement (median)")
    ap.add_argument("--only", choices=["papr", "qemu"], help="measure one emulator only")
    ap.add_argument("--json", help="also write the raw results to this file")
    args = ap.parse_args()

    cache = subprocess.run([os.path.join(REPO, "scripts/fetch-debian-guest.sh")],
                           check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "papr"], cwd=REPO, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    papr = os.path.join(target, "release", "papr")
    who = [args.only] if args.only else ["papr", "qemu"]
    if "qemu" in who and not shutil.which("qemu-system-ppc64"):
        sys.exit("qemu-system-ppc64 missing: apt-get install qemu-system-ppc (or --only papr)")

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        initrd = os.path.join(tmp, "initrd.cpio")
        subprocess.run([papr, "mkinitramfs", "--busybox", os.path.join(cache, "busybox"),
                        "-o", initrd], check=True)
        art = {"kernel": os.path.join(cache, "vmlinux"), "initrd": initrd}
        for w in who:
            for busy in (False, True):
                key = f"{w} {'busy' if busy else 'idle'}"
                runs, failed = [], []
                for i in range(args.runs):
                    log(f"== {key}: live migration, run {i + 1}/{args.runs}")
                    try:
                        if w == "papr":
                            runs.append(papr_migrate(papr, art, tmp, busy))
                        else:
                            runs.append(qemu_migrate(art, tmp, busy))
                        log(f"   {runs[-1]}")
                    except RuntimeError as e:
                        # Recorded, not fatal: a guest that hangs after a migration is a result.
                        failed.append(str(e)[:300])
                        log(f"   FAILED: {e}")
                results[key] = median_of(runs) if runs else {}
                results[key]["failed"] = len(failed)
                results[key]["runs"] = args.runs
            runs = []
            for i in range(args.runs):
                log(f"== {w}: snapshot save/restore, run {i + 1}/{args.runs}")
                runs.append(papr_snapshot(papr, art, tmp) if w == "papr" else qemu_snapshot(art, tmp))
                log(f"   {runs[-1]}")
            results[f"{w} snapshot"] = median_of(runs)

    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)

    print(f"\nLive migration, 1 GiB guest, loopback TCP (median of {args.runs}):\n")
    print("| emulator | workload | total time | downtime | sent | dirty passes | failed runs |")
    print("|---|---|---|---|---|---|---|")
    for w in who:
        for load in ("idle", "busy"):
            r = results[f"{w} {load}"]
            fails = f"{r['failed']} of {r['runs']}"
            if "total_ms" not in r:
                print(f"| {w} | {load} | — | — | — | — | {fails} |")
                continue
            print(f"| {w} | {load} | {r['total_ms']:.0f} ms | {r['downtime_ms']:.1f} ms "
                  f"| {r['mib']:.1f} MiB | {r['passes']:.0f} | {fails} |")
    print(f"\nSnapshot of the idle 1 GiB guest (median of {args.runs}):\n")
    print("| emulator | save | save MB/s of RAM | restore (wall, incl. start-up) | restore MB/s of RAM | file |")
    print("|---|---|---|---|---|---|")
    for w in who:
        r = results[f"{w} snapshot"]
        print(f"| {w} | {r['save_s'] * 1e3:.0f} ms | {RAM_MIB / r['save_s']:.0f} "
              f"| {r['restore_s'] * 1e3:.0f} ms | {RAM_MIB / r['restore_s']:.0f} | {r['file_mib']:.1f} MiB |")


if __name__ == "__main__":
    main()
