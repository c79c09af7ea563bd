#!/usr/bin/env python3
"""Benchmark harness for tcp-to-any-proxy (run it through bench/run).

Every topology carries iperf3 traffic (client -> node 1 -> node 2 -> iperf3 server) and the load tool's
traffic (client -> node 1 -> node 2 -> echo server) on loopback, ephemeral ports, one topology at a time.
All processes are started here, each in its own process group, and stopped by PID whatever happens.
"""

import argparse
import atexit
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
RESULTS = os.path.join(BENCH_DIR, "results")
DIST = os.path.join(ROOT, "proxy-launcher", "target", "tcp-to-any-proxy")
LAUNCHER = os.path.join(DIST, "bin", "tcp-to-any-proxy")
BENCH_JAR = os.path.join(BENCH_DIR, "target", "bench.jar")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

# name, label, kind, transport of the middle hop (None for baselines)
TOPOLOGIES = [
    ("direct", "direct TCP", "direct", None),
    ("socat", "socat, 2 hops", "socat", None),
    ("haproxy", "haproxy, 2 hops", "haproxy", None),
    ("tcp", "tcp->tcp", "ours", "tcp"),
    ("quic", "tcp->quic->tcp", "ours", "quic"),
    ("ws", "tcp->ws->tcp", "ours", "ws"),
    ("wss", "tcp->wss->tcp", "ours", "wss"),
]
ALIASES = {"tcp-tcp": "tcp", "tcp-quic-tcp": "quic", "tcp-ws-tcp": "ws", "tcp-wss-tcp": "wss"}

MODES = {
    # iperf3 seconds (after 1 omitted second), latency messages, conn-rate counts, idle connections, reps
    "full": dict(reps=3, iperf_t=4, iperf_omit=1, warm_t=1, lat_count=10000, lat_warmup=2000,
                 conn_seq=1000, conn_conc=3000, conn_concurrency=16, conn_max_s=4, idle=10000,
                 idle_reps=1, idle_max_s=240, verify_bytes=0),
    "quick": dict(reps=1, iperf_t=2, iperf_omit=1, warm_t=1, lat_count=5000, lat_warmup=1000,
                  conn_seq=300, conn_conc=1000, conn_concurrency=16, conn_max_s=2, idle=1000,
                  idle_reps=1, idle_max_s=60, verify_bytes=0),
    "smoke": dict(reps=1, iperf_t=1, iperf_omit=0, warm_t=0, lat_count=200, lat_warmup=50,
                  conn_seq=50, conn_conc=100, conn_concurrency=8, conn_max_s=5, idle=200,
                  idle_reps=1, idle_max_s=60, verify_bytes=4 << 20),
}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- processes

class Procs:
    """Every process this harness starts, each the leader of its own process group."""

    def __init__(self):
        self.procs = []
        self.lock = threading.Lock()

    def start(self, argv, logfile, env=None, stdin=None, stdout=None, cwd=None):
        out = stdout if stdout is not None else open(logfile, "ab")
        p = subprocess.Popen(argv, stdin=stdin if stdin is not None else subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT if stdout is None else open(logfile, "ab"),
                             env=env, cwd=cwd, start_new_session=True)
        with self.lock:
            self.procs.append(p)
        return p

    def stop(self, p, grace=5.0):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)
        else:
            # The leader is gone; make sure nothing it forked (socat children) survives.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        with self.lock:
            if p in self.procs:
                self.procs.remove(p)

    def stop_all(self):
        with self.lock:
            procs = list(self.procs)
        for p in reversed(procs):
            try:
                self.stop(p, grace=3.0)
            except Exception:  # noqa: BLE001 - best effort at exit
                pass


PROCS = Procs()
JFR_DIR = None  # --jfr: record the nodes with Java Flight Recorder
atexit.register(PROCS.stop_all)


def _on_signal(signum, _frame):
    log(f"signal {signum}: stopping every process started here")
    PROCS.stop_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def measured_pid(pid, want="java", timeout=15.0):
    """The launcher is a shell script: the process to measure is the java it starts (or execs)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for p in tree(pid):
            if comm(p) == want:
                return p
        time.sleep(0.1)
    raise BenchError(f"no {want} process under PID {pid}")


def cpu_seconds(pid):
    """utime+stime+cutime+cstime of a process and its live descendants (socat forks one per connection)."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        total += sum(int(x) for x in fields[11:15])
    return total / CLK_TCK


def rss_mb(pid):
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            continue
    return total / 1048576.0


class RssSampler:
    """Peak RSS per node while a test runs."""

    def __init__(self, pids, period=0.2):
        self.pids, self.period = pids, period
        self.peak = [0.0] * len(pids)
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for i, p in enumerate(self.pids):
                self.peak[i] = max(self.peak[i], rss_mb(p))
            self._stop.wait(self.period)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


# ---------------------------------------------------------------- ports and readiness

def free_port():
    """A port free for TCP and UDP on 127.0.0.1 (the QUIC hop listens on UDP)."""
    for _ in range(100):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise BenchError("no free port")


def listening(port, udp=False):
    files = ["/proc/net/udp", "/proc/net/udp6"] if udp else ["/proc/net/tcp", "/proc/net/tcp6"]
    want = f":{port:04X}"
    for fn in files:
        try:
            with open(fn) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[1].endswith(want) and (udp or parts[3] == "0A"):
                        return True
        except OSError:
            continue
    return False


def wait_listening(port, proc, what, timeout=30.0, udp=False):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if listening(port, udp):
            return
        if proc is not None and proc.poll() is not None:
            raise BenchError(f"{what} exited with code {proc.returncode} before listening on {port}")
        time.sleep(0.05)
    raise BenchError(f"{what} not listening on {port} after {timeout:.0f} s")


def wait_echo(port, procs, what, timeout=40.0):
    """End-to-end readiness: one small echo through the whole chain."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise BenchError(f"{what}: a process exited with code {p.returncode} during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.settimeout(3)
                s.sendall(b"ready?")
                got = b""
                while len(got) < 6:
                    chunk = s.recv(6 - len(got))
                    if not chunk:
                        break
                    got += chunk
                if got == b"ready?":
                    return
                last = f"echo returned {got!r}"
        except OSError as e:
            last = str(e)
        time.sleep(0.2)
    raise BenchError(f"{what}: no echo through the chain after {timeout:.0f} s ({last})")


# ---------------------------------------------------------------- setup

def ensure_tools():
    missing = [t for t in ("iperf3", "socat", "haproxy") if shutil.which(t) is None]
    if not missing:
        return
    log(f"installing {' '.join(missing)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing, check=True,
                   env=env, stdout=subprocess.DEVNULL)
    still = [t for t in missing if shutil.which(t) is None]
    if still:
        raise BenchError(f"could not install {' '.join(still)}")


def newest_source(paths):
    newest = 0.0
    for top in paths:
        if os.path.isfile(top):
            newest = max(newest, os.path.getmtime(top))
            continue
        for d, dirs, files in os.walk(top):
            dirs[:] = [x for x in dirs if x not in ("target", ".git", "results")]
            for f in files:
                newest = max(newest, os.path.getmtime(os.path.join(d, f)))
    return newest


def product_sources():
    out = [os.path.join(ROOT, "pom.xml")]
    for name in sorted(os.listdir(ROOT)):
        d = os.path.join(ROOT, name)
        if name != "bench" and os.path.isfile(os.path.join(d, "pom.xml")):
            out.append(d)
    return out


def ensure_build(rebuild, need_launcher, own_dist):
    """Builds the distribution when it is missing or older than the sources, and the load tool likewise."""
    if need_launcher and own_dist:
        # The build time of a distribution: its newest jar (the assembly keeps the script's own date).
        built = newest_source([os.path.join(DIST, "lib"), os.path.join(DIST, "plugins")]) if os.path.exists(
            LAUNCHER) else 0
        stale = os.path.exists(LAUNCHER) and newest_source(product_sources()) > built
        if rebuild or stale or not os.path.exists(LAUNCHER):
            why = "--rebuild" if rebuild else ("sources changed since it was built" if stale else "not built yet")
            log(f"building the distribution ({why}): mvn -B -q -DskipTests package")
            subprocess.run(["mvn", "-B", "-q", "-DskipTests", "package"], cwd=ROOT, check=True)
    bench_src = [os.path.join(BENCH_DIR, "src"), os.path.join(BENCH_DIR, "pom.xml")]
    if not os.path.exists(BENCH_JAR) or newest_source(bench_src) > os.path.getmtime(BENCH_JAR):
        log("building the load tool: mvn -B -q -DskipTests -pl bench -am package")
        subprocess.run(["mvn", "-B", "-q", "-DskipTests", "-pl", "bench", "-am", "package"], cwd=ROOT, check=True)
    if not os.path.exists(BENCH_JAR):
        raise BenchError(f"{BENCH_JAR} missing after the build")


def available_transports():
    if not os.path.exists(LAUNCHER):
        return set()
    try:
        out = subprocess.run([LAUNCHER, "transports"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if parts and re.fullmatch(r"[a-z0-9][a-z0-9._-]*", parts[0]):
            names.add(parts[0])
    return names


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001
        return ""


def machine_facts():
    def read(path):
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            return None

    cpu_model = None
    for line in (read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    java = sh("java -version 2>&1 | head -1")
    mem = sh("awk '/MemTotal/{printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model,
        "memory": mem,
        "kernel": platform.release(),
        "os": sh(". /etc/os-release 2>/dev/null && echo \"$PRETTY_NAME\""),
        "jdk": java,
        "loopback_mtu": int(read("/sys/class/net/lo/mtu") or 0),
        "nofile_limit": int(sh("ulimit -n") or 0),
        "iperf3": sh("iperf3 --version 2>&1 | head -1"),
        "socat": sh("socat -V 2>&1 | grep -m1 'socat version'"),
        "haproxy": sh("haproxy -v 2>&1 | head -1"),
        "load_avg_start": read("/proc/loadavg"),
    }


def git_facts():
    commit = sh(f"git -C '{ROOT}' rev-parse HEAD")
    dirty = bool(sh(f"git -C '{ROOT}' status --porcelain --untracked-files=no -- . ':!bench/results'"))
    return {"commit": commit, "short": commit[:10], "dirty": dirty,
            "branch": sh(f"git -C '{ROOT}' rev-parse --abbrev-ref HEAD")}


# ---------------------------------------------------------------- topologies

class Running:
    """A started topology: its entry ports, the node PIDs to measure, the processes to stop."""

    def __init__(self, name):
        self.name = name
        self.iperf_entry = None
        self.echo_entry = None
        self.nodes = []      # PIDs measured for CPU and RSS (node 1, node 2)
        self.procs = []      # Popen objects, stopped in reverse order
        self.fds_per_conn = 2


def java_cmd(*args):
    return ["java", "-XX:+UseParallelGC", "-Xss512k", "-jar", BENCH_JAR] + list(args)


def start_echo(work):
    """The load tool's echo server: the far end of latency, connection-rate and idle tests."""
    logf = os.path.join(work, "echo.log")
    p = PROCS.start(java_cmd("echo", "--port", "0"), logf, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = p.stdout.readline().decode(errors="replace")
        if not line:
            break
        if line.startswith("LISTENING"):
            return p, int(line.split()[1])
    PROCS.stop(p)
    raise BenchError("echo server did not start")


def start_iperf_server(work):
    port = free_port()
    p = PROCS.start(["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port)], os.path.join(work, "iperf3-server.log"))
    wait_listening(port, p, "iperf3 server")
    return p, port


def start_topology(name, kind, transport, work, idle_count):
    r = Running(name)
    echo_proc, echo_port = start_echo(work)
    r.procs.append(echo_proc)
    iperf_proc, iperf_port = start_iperf_server(work)
    r.procs.append(iperf_proc)
    try:
        if kind == "direct":
            r.iperf_entry, r.echo_entry = iperf_port, echo_port
        elif kind == "socat":
            start_socat(r, work, iperf_port, echo_port)
        elif kind == "haproxy":
            start_haproxy(r, work, iperf_port, echo_port, idle_count)
        else:
            start_ours(r, work, transport, iperf_port, echo_port)
        wait_echo(r.echo_entry, r.procs, name)
    except Exception:
        stop_topology(r)
        raise
    return r


def stop_topology(r):
    for p in reversed(r.procs):
        if p.stdin:
            try:
                p.stdin.close()
            except OSError:
                pass
        PROCS.stop(p, grace=30.0 if JFR_DIR else 5.0)  # a JVM writes its flight recording as it exits
    r.procs.clear()


def start_socat(r, work, iperf_port, echo_port):
    # One socat process per hop and per target; node "1" and "2" are the two iperf3 hops (measured).
    pids = []
    entries = []
    for target in (iperf_port, echo_port):
        hop = free_port()
        entry = free_port()
        n2 = PROCS.start(["socat", f"TCP-LISTEN:{hop},bind=127.0.0.1,reuseaddr,fork,backlog=4096,nodelay",
                          f"TCP:127.0.0.1:{target},nodelay"], os.path.join(work, f"socat2-{target}.log"))
        n1 = PROCS.start(["socat", f"TCP-LISTEN:{entry},bind=127.0.0.1,reuseaddr,fork,backlog=4096,nodelay",
                          f"TCP:127.0.0.1:{hop},nodelay"], os.path.join(work, f"socat1-{target}.log"))
        r.procs += [n2, n1]
        wait_listening(hop, n2, "socat node 2")
        wait_listening(entry, n1, "socat node 1")
        pids.append((n1.pid, n2.pid))
        entries.append(entry)
    r.iperf_entry, r.echo_entry = entries
    r.nodes = list(pids[0])
    r.echo_nodes = list(pids[1])


def haproxy_conf(maxconn, routes):
    out = [
        "global",
        f"  maxconn {maxconn}",
        "defaults",
        "  mode tcp",
        f"  maxconn {maxconn}",
        "  timeout connect 5s",
        "  timeout client 1h",
        "  timeout server 1h",
    ]
    for name, listen, target in routes:
        out += [f"frontend fe_{name}", f"  bind 127.0.0.1:{listen}", f"  default_backend be_{name}",
                f"backend be_{name}", f"  server s1 127.0.0.1:{target}"]
    return "\n".join(out) + "\n"


def start_haproxy(r, work, iperf_port, echo_port, idle_count):
    nofile = int(sh("ulimit -n") or 1024)
    maxconn = max(1000, min(idle_count + 200, (nofile - 200) // 2))
    hop_i, hop_e, ent_i, ent_e = free_port(), free_port(), free_port(), free_port()
    procs = []
    for node, routes in (("2", [("iperf", hop_i, iperf_port), ("echo", hop_e, echo_port)]),
                         ("1", [("iperf", ent_i, hop_i), ("echo", ent_e, hop_e)])):
        cfg = os.path.join(work, f"haproxy{node}.cfg")
        with open(cfg, "w") as f:
            f.write(haproxy_conf(maxconn, routes))
        p = PROCS.start(["haproxy", "-db", "-f", cfg], os.path.join(work, f"haproxy{node}.log"))
        r.procs.append(p)
        for _, listen, _ in routes:
            wait_listening(listen, p, f"haproxy node {node}")
        procs.append(p)
    r.iperf_entry, r.echo_entry = ent_i, ent_e
    r.nodes = [procs[1].pid, procs[0].pid]


def dial_block(transport, port):
    if transport == "tcp":
        return f'transport = tcp, address = "127.0.0.1:{port}"'
    if transport == "quic":
        return f'transport = quic, address = "127.0.0.1:{port}", tls {{ insecure = true }}'
    if transport == "ws":
        return f'transport = ws, url = "ws://127.0.0.1:{port}/"'
    if transport == "wss":
        return f'transport = wss, url = "wss://127.0.0.1:{port}/", tls {{ insecure = true }}'
    raise BenchError(f"unknown transport {transport}")


def start_ours(r, work, transport, iperf_port, echo_port):
    hop_i, hop_e, ent_i, ent_e = free_port(), free_port(), free_port(), free_port()
    node2 = (f'proxy.routes.iperf {{\n  listen {{ transport = {transport}, address = "127.0.0.1:{hop_i}" }}\n'
             f'  dial {{ transport = tcp, address = "127.0.0.1:{iperf_port}" }}\n}}\n'
             f'proxy.routes.echo {{\n  listen {{ transport = {transport}, address = "127.0.0.1:{hop_e}" }}\n'
             f'  dial {{ transport = tcp, address = "127.0.0.1:{echo_port}" }}\n}}\n')
    node1 = (f'proxy.routes.iperf {{\n  listen {{ transport = tcp, address = "127.0.0.1:{ent_i}" }}\n'
             f'  dial {{ {dial_block(transport, hop_i)} }}\n}}\n'
             f'proxy.routes.echo {{\n  listen {{ transport = tcp, address = "127.0.0.1:{ent_e}" }}\n'
             f'  dial {{ {dial_block(transport, hop_e)} }}\n}}\n')
    procs = []
    for node, text in (("2", node2), ("1", node1)):
        env = dict(os.environ)
        if JFR_DIR:
            rec = os.path.join(JFR_DIR, f"{os.path.basename(work)}-node{node}.jfr")
            env["JAVA_OPTS"] = (env.get("JAVA_OPTS", "") + f" -XX:StartFlightRecording=filename={rec},"
                                "settings=profile,dumponexit=true").strip()
        d = os.path.join(work, f"node{node}")
        os.makedirs(d, exist_ok=True)
        cfg = os.path.join(d, "node.conf")
        with open(cfg, "w") as f:
            f.write(text)
        p = PROCS.start([LAUNCHER, "run", "-c", cfg], os.path.join(work, f"node{node}.log"), env=env, cwd=d)
        r.procs.append(p)
        procs.append(p)
    udp = transport == "quic"
    wait_listening(hop_i, procs[0], "node 2", timeout=60, udp=udp)
    wait_listening(hop_e, procs[0], "node 2", timeout=60, udp=udp)
    wait_listening(ent_i, procs[1], "node 1", timeout=60)
    wait_listening(ent_e, procs[1], "node 1", timeout=60)
    r.iperf_entry, r.echo_entry = ent_i, ent_e
    r.nodes = [measured_pid(procs[1].pid), measured_pid(procs[0].pid)]
    # QUIC carries each TCP connection as a stream: one descriptor per connection in each node.
    r.fds_per_conn = 1 if transport == "quic" else 2


# ---------------------------------------------------------------- measurements

def run_tool(work, args, timeout):
    cmd = java_cmd(*args)
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"load tool {args[0]} timed out after {timeout} s") from e
    with open(os.path.join(work, "loadtool.log"), "a") as f:
        f.write(f"$ {' '.join(args)}\n{res.stdout}{res.stderr}\n")
    lines = [l for l in res.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise BenchError(f"load tool {args[0]}: no result (exit {res.returncode}): {res.stderr.strip()[-300:]}")
    out = json.loads(lines[-1])
    if res.returncode != 0:
        raise BenchError(f"load tool {args[0]} failed: {out.get('error')}")
    return out


def iperf(r, work, seconds, omit, parallel=1, reverse=False, sample_rss=False):
    cmd = ["iperf3", "-c", "127.0.0.1", "-p", str(r.iperf_entry), "-t", str(seconds), "-J",
           "--connect-timeout", "5000", "-P", str(parallel)]
    if omit:
        cmd += ["-O", str(omit)]
    if reverse:
        cmd.append("-R")
    cpu0 = [cpu_seconds(p) for p in r.nodes]
    sampler = RssSampler(r.nodes) if sample_rss and r.nodes else None
    if sampler:
        sampler.__enter__()
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + omit + 30,
                             start_new_session=True)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"iperf3 {' '.join(cmd[5:])} timed out") from e
    finally:
        if sampler:
            sampler.__exit__()
    time.sleep(0.3)  # let socat reap its per-connection children so their CPU is counted
    cpu1 = [cpu_seconds(p) for p in r.nodes]
    with open(os.path.join(work, "iperf3-client.log"), "a") as f:
        f.write(f"$ {' '.join(cmd)}\n{res.stdout[-4000:]}{res.stderr}\n")
    try:
        data = json.loads(res.stdout)
    except json.JSONDecodeError as e:
        raise BenchError(f"iperf3 gave no JSON (exit {res.returncode}): {res.stderr.strip()[-300:]}") from e
    if data.get("error"):
        raise BenchError(f"iperf3 -P{parallel}{' -R' if reverse else ''}: {data['error']}")
    end = data["end"]
    gbps = end["sum_received"]["bits_per_second"] / 1e9
    moved = sum(iv["sum"]["bytes"] for iv in data.get("intervals", []))
    if end["sum_received"]["bytes"] <= 0:
        raise BenchError("iperf3 moved no bytes")
    return {"gbps": gbps, "bytes": moved, "cpu": [b - a for a, b in zip(cpu0, cpu1)],
            "rss_peak_mb": sampler.peak if sampler else None}


def measure(r, work, cfg, do_idle, idle_count):
    """One repetition of every measurement on a started topology."""
    m = {}
    nodes = r.nodes
    m["rss_idle_mb"] = [rss_mb(p) for p in nodes] if nodes else None
    if cfg["verify_bytes"]:
        v = run_tool(work, ["verify", "--target", f"127.0.0.1:{r.echo_entry}", "--bytes", str(cfg["verify_bytes"]),
                            "--connections", "4", "--max-seconds", "60"], 90)
        m["verify_ok"] = v["ok"] == v["connections"]
    if cfg["warm_t"]:
        iperf(r, work, cfg["warm_t"], 0)  # JIT warm-up, not recorded
    t, o = cfg["iperf_t"], cfg["iperf_omit"]
    p1 = iperf(r, work, t, o)
    p4 = iperf(r, work, t, o, parallel=4, sample_rss=True)
    rv = iperf(r, work, t, o, reverse=True)
    m["tput_p1_gbps"], m["tput_p4_gbps"], m["tput_r_gbps"] = p1["gbps"], p4["gbps"], rv["gbps"]
    if nodes:
        moved = p1["bytes"] + p4["bytes"] + rv["bytes"]
        per_node = [sum(x) / (moved / 1e9) for x in zip(p1["cpu"], p4["cpu"], rv["cpu"])]
        m["cpu_s_per_gb_nodes"] = per_node
        m["cpu_s_per_gb"] = sum(per_node)
        m["cpu_s_per_gb_p1"] = sum(p1["cpu"]) / (p1["bytes"] / 1e9)
        m["rss_load_mb"] = p4["rss_peak_mb"]
    lat = run_tool(work, ["latency", "--target", f"127.0.0.1:{r.echo_entry}", "--count", str(cfg["lat_count"]),
                          "--warmup", str(cfg["lat_warmup"]), "--size", "64", "--max-seconds", "60"], 120)
    m["lat_p50_us"], m["lat_p99_us"] = lat["p50_us"], lat["p99_us"]
    seq = run_tool(work, ["connrate", "--target", f"127.0.0.1:{r.echo_entry}", "--count", str(cfg["conn_seq"]),
                          "--warmup", str(max(20, cfg["conn_seq"] // 10)), "--concurrency", "1",
                          "--max-seconds", str(cfg["conn_max_s"])], 90)
    conc = run_tool(work, ["connrate", "--target", f"127.0.0.1:{r.echo_entry}", "--count", str(cfg["conn_conc"]),
                           "--warmup", str(max(20, cfg["conn_conc"] // 10)),
                           "--concurrency", str(cfg["conn_concurrency"]), "--max-seconds", str(cfg["conn_max_s"])], 90)
    m["conn_seq_per_s"], m["conn_conc_per_s"] = seq["per_sec"], conc["per_sec"]
    m["tool"] = {"latency": lat, "connrate_seq": seq, "connrate_concurrent": conc}
    if do_idle:
        try:
            m.update(idle(r, work, idle_count, cfg["idle_max_s"]))
        except BenchError as e:
            # Keep this repetition's other figures; the failure is reported on its own.
            m["idle_error"] = str(e)
    return m


def idle(r, work, requested, max_seconds):
    nofile = int(sh("ulimit -n") or 1024)
    budget = (nofile - 300) // r.fds_per_conn
    count = min(requested, budget)
    cmd = java_cmd("idle", "--target", f"127.0.0.1:{r.echo_entry}", "--count", str(count),
                   "--connect-concurrency", "100", "--max-seconds", str(max_seconds))
    logf = os.path.join(work, "idle.log")
    p = PROCS.start(cmd, logf, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        holding = None
        deadline = time.time() + max_seconds + 60
        while time.time() < deadline:
            line = p.stdout.readline().decode(errors="replace")
            if not line:
                break
            if line.startswith("{"):
                holding = json.loads(line)
                break
        if holding is None:
            raise BenchError("idle holder gave no HOLDING line")
        time.sleep(2.0)  # let the nodes settle
        rss = [rss_mb(n) for n in r.nodes]
        p.stdin.write(b"check\n")
        p.stdin.flush()
        result = None
        deadline = time.time() + 90
        while time.time() < deadline:
            line = p.stdout.readline().decode(errors="replace")
            if not line:
                break
            if line.startswith("{"):
                result = json.loads(line)
                break
        if result is None:
            raise BenchError("idle holder gave no result")
        with open(logf, "a") as f:
            f.write(json.dumps(holding) + "\n" + json.dumps(result) + "\n")
        out = {"idle_requested": requested, "idle_count": count, "idle_held": result["held"],
               "idle_still_echo": result["still_echo"], "idle_open_s": result["open_seconds"],
               "rss_idle_conns_mb": rss}
        if not result["ok"]:
            out["idle_error"] = (f"idle: held {result['held']}/{count}, still echoing {result['still_echo']}: "
                                 f"{result.get('error')}")
        return out
    finally:
        if p.stdin:
            try:
                p.stdin.close()
            except OSError:
                pass
        PROCS.stop(p, grace=10)


# ---------------------------------------------------------------- aggregation and report

SCALAR = ["tput_p1_gbps", "tput_p4_gbps", "tput_r_gbps", "lat_p50_us", "lat_p99_us", "conn_seq_per_s",
          "conn_conc_per_s", "cpu_s_per_gb", "cpu_s_per_gb_p1"]
VECTOR = ["rss_idle_mb", "rss_load_mb", "rss_idle_conns_mb", "cpu_s_per_gb_nodes"]


def aggregate(runs):
    med, spread, samples = {}, {}, {}
    for k in SCALAR:
        vals = [r[k] for r in runs if r.get(k) is not None]
        if vals:
            samples[k] = vals
            med[k] = statistics.median(vals)
            spread[k] = (max(vals) - min(vals)) / med[k] if med[k] else 0.0
    for k in VECTOR:
        vals = [r[k] for r in runs if r.get(k)]
        if vals:
            med[k] = [statistics.median(v[i] for v in vals) for i in range(len(vals[0]))]
    idle_runs = [r for r in runs if "idle_count" in r]
    if idle_runs:
        med["idle_count"] = min(r["idle_count"] for r in idle_runs)
        med["idle_requested"] = idle_runs[0]["idle_requested"]
        med["idle_all_echo"] = all(r["idle_still_echo"] == r["idle_count"] for r in idle_runs)
        med["idle_open_s"] = statistics.median(r["idle_open_s"] for r in idle_runs)
    return med, spread, samples


HIGHER = {"tput_p1_gbps", "tput_p4_gbps", "tput_r_gbps", "conn_seq_per_s", "conn_conc_per_s"}


def ratio(topos, name, base, key):
    a, b = topos.get(name, {}).get("median", {}).get(key), topos.get(base, {}).get("median", {}).get(key)
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}"


def fmt_num(x, digits=None):
    if x is None:
        return "–"
    if digits is None:
        digits = 2 if abs(x) < 10 else (1 if abs(x) < 100 else 0)
    return f"{x:,.{digits}f}"


def with_spread(med, spread, key, digits=None):
    v = med.get(key)
    if v is None:
        return "–"
    s = spread.get(key)
    return fmt_num(v, digits) + (f" ±{s * 50:.0f}%" if s else "")


def targets(topos):
    out = []

    def med(name, key):
        return topos.get(name, {}).get("median", {}).get(key)

    def check(what, ok, detail):
        out.append({"target": what, "status": "n/a" if ok is None else ("met" if ok else "MISSED"),
                    "measured": detail})

    def added(name):
        a, d = med(name, "lat_p50_us"), med("direct", "lat_p50_us")
        return None if a is None or d is None else a - d

    if "tcp" in topos and "haproxy" in topos:
        r = ratio(topos, "tcp", "haproxy", "tput_p1_gbps")
        check("tcp->tcp 1-stream throughput >= haproxy", None if r is None else r >= 1.0,
              f"{fmt_ratio(r)} x haproxy")
        r = ratio(topos, "tcp", "haproxy", "cpu_s_per_gb")
        check("tcp->tcp CPU per GB <= haproxy", None if r is None else r <= 1.0, f"{fmt_ratio(r)} x haproxy")
        at, ah = added("tcp"), added("haproxy")
        check("tcp->tcp added p50 latency <= haproxy's", None if at is None or ah is None else at <= ah,
              f"+{fmt_num(at)} µs vs +{fmt_num(ah)} µs" if at is not None and ah is not None else "–")
    if "quic" in topos:
        r = ratio(topos, "quic", "direct", "tput_p1_gbps")
        check("tcp->quic->tcp 1-stream throughput >= 17% of direct", None if r is None else r >= 0.17,
              f"{fmt_num(r * 100, 1)}% of direct" if r is not None else "–")
        r = ratio(topos, "quic", "tcp", "cpu_s_per_gb")
        check("tcp->quic->tcp CPU per GB <= 5x tcp->tcp", None if r is None else r <= 5.0,
              f"{fmt_ratio(r)} x tcp->tcp")
        c = med("quic", "conn_conc_per_s")
        check("tcp->quic->tcp connection set-up >= 2,000/s", None if c is None else c >= 2000,
              f"{fmt_num(c, 0)}/s (16 concurrent)" if c is not None else "–")
        rss = med("quic", "rss_idle_conns_mb")
        n = med("quic", "idle_count")
        if rss is not None and n < 10000:
            check("tcp->quic->tcp 10,000 idle connections, each node < 500 MB, all still echo", None,
                  f"this run held only {n:,} (node RSS {fmt_num(rss[0], 0)} / {fmt_num(rss[1], 0)} MB)")
        elif rss is not None:
            ok = max(rss) < 500 and med("quic", "idle_all_echo")
            check("tcp->quic->tcp 10,000 idle connections, each node < 500 MB, all still echo", ok,
                  f"{n:,} held, node RSS {fmt_num(rss[0], 0)} / {fmt_num(rss[1], 0)} MB, "
                  f"all echo: {'yes' if med('quic', 'idle_all_echo') else 'NO'}")
        else:
            check("tcp->quic->tcp 10,000 idle connections, each node < 500 MB, all still echo", None, "–")
    for name, pct in (("ws", 26), ("wss", 20)):
        if name in topos:
            r = ratio(topos, name, "direct", "tput_p1_gbps")
            check(f"tcp->{name}->tcp 1-stream throughput >= {pct}% of direct",
                  None if r is None else r >= pct / 100, f"{fmt_num(r * 100, 1)}% of direct" if r is not None else "–")
    return out


def ratio_table(topos, order):
    bases = [b for b in ("direct", "socat", "haproxy") if b in topos and topos[b].get("median")]
    head = " / ".join(bases)
    cols = [("tput_p1_gbps", "iperf3 -P1"), ("tput_p4_gbps", "-P4"), ("tput_r_gbps", "-R"),
            ("lat_p50_us", "p50 latency"), ("lat_p99_us", "p99 latency"), ("conn_seq_per_s", "conn/s seq"),
            ("conn_conc_per_s", "conn/s ×16"), ("cpu_s_per_gb", "CPU s/GB")]
    lines = [f"| topology | " + " | ".join(c[1] for c in cols) + " |",
             "|---" * (len(cols) + 1) + "|"]
    for name in order:
        t = topos.get(name)
        if not t or not t.get("median"):
            continue
        cells = []
        for key, _ in cols:
            rs = []
            for b in bases:
                if b == "direct" and key.startswith("cpu"):
                    continue
                rs.append(fmt_ratio(ratio(topos, name, b, key)) if b != name else "1")
            cells.append(" / ".join(rs) if rs else "–")
        lines.append(f"| {t['label']} | " + " | ".join(cells) + " |")
    cpu_bases = " / ".join(b for b in bases if b != "direct")
    note = (f"Each cell: this topology's median divided by the same measure of {head} from this run "
            f"(CPU s/GB: vs {cpu_bases or '–'}; direct TCP has no relay nodes). "
            "Throughput and conn/s: higher is better; latency and CPU: lower is better.")
    return "\n".join(lines), note


def absolute_table(topos, order):
    cols = ["topology", "-P1 Gbit/s", "-P4 Gbit/s", "-R Gbit/s", "p50 µs", "p99 µs", "conn/s seq",
            "conn/s ×16", "CPU s/GB (2 nodes)", "RSS idle MB (n1/n2)", "RSS load MB", "idle conns held",
            "RSS held MB (n1/n2)"]
    lines = ["| " + " | ".join(cols) + " |", "|---" * len(cols) + "|"]
    for name in order:
        t = topos.get(name)
        if not t:
            continue
        med, sp = t.get("median", {}), t.get("spread", {})
        if not med:
            lines.append(f"| {t['label']} | " + " | ".join(["failed"] + ["–"] * (len(cols) - 2)) + " |")
            continue

        def pair(key):
            v = med.get(key)
            return "–" if not v else " / ".join(fmt_num(x, 0) for x in v)

        held = "–"
        if "idle_count" in med:
            held = f"{med['idle_count']:,}" + ("" if med.get("idle_all_echo") else " (lost some)")
        lines.append("| " + " | ".join([
            t["label"], with_spread(med, sp, "tput_p1_gbps"), with_spread(med, sp, "tput_p4_gbps"),
            with_spread(med, sp, "tput_r_gbps"), with_spread(med, sp, "lat_p50_us", 0),
            with_spread(med, sp, "lat_p99_us", 0), with_spread(med, sp, "conn_seq_per_s", 0),
            with_spread(med, sp, "conn_conc_per_s", 0), with_spread(med, sp, "cpu_s_per_gb"),
            pair("rss_idle_mb"), pair("rss_load_mb"), held, pair("rss_idle_conns_mb")]) + " |")
    return "\n".join(lines)


def markdown(result, order):
    topos = result["topologies"]
    rt, note = ratio_table(topos, order)
    m, g, s = result["machine"], result["git"], result["settings"]
    out = [f"### Benchmark ({result['mode']} run, {result['started'][:16].replace('T', ' ')} UTC, "
           f"commit `{g['short']}`{' + local changes' if g['dirty'] else ''})", "",
           "Ratios against the baselines measured in the same run (medians of "
           f"{s['reps']} run{'s' if s['reps'] > 1 else ''}):", "", rt, "", note, "",
           "Medians (± half the spread between runs):", "", absolute_table(topos, order), "",
           f"iperf3: {s['iperf_t']} s per test after {s['iperf_omit']} s omitted; latency: {s['lat_count']:,} "
           f"round trips of 64 bytes on one connection; conn/s: open, echo 64 bytes, close "
           f"({s['conn_seq']:,} one at a time, {s['conn_conc']:,} with {s['conn_concurrency']} in flight); "
           "CPU: user+system seconds of both relay nodes over all iperf3 tests divided by GB moved; "
           "RSS load: peak during -P4; idle connections (in " + (f"the first {s['idle_reps']} runs" if s['idle_reps'] > 1
           else "the first run") + "): opened through the tunnel to an echo server, held, "
           "then each checked to echo again (socat forks a process per connection and is not tested; the count "
           f"is capped by the descriptor limit, {m['nofile_limit']:,}, at two per connection in a TCP-to-TCP "
           "relay node).", ""]
    if result["targets"]:
        out += ["Targets:", "", "| target | measured | status |", "|---|---|---|"]
        out += [f"| {t['target']} | {t['measured']} | {t['status']} |" for t in result["targets"]]
        out.append("")
    if result["failures"]:
        out += ["Failures:", ""] + [f"- {f}" for f in result["failures"]] + [""]
    if result.get("skipped"):
        out += [f"Not measured: {', '.join(result['skipped'])}.", ""]
    out += [f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory']}, Linux {m['kernel']}, {m['jdk']}, "
            f"loopback MTU {m['loopback_mtu']}; {m['iperf3']}, {m['socat']}, {m['haproxy']}; "
            f"JAVA_OPTS for the nodes: `{result['java_opts'] or '(none)'}`; "
            f"load average at start {m['load_avg_start']}. Shared machine: compare ratios, not absolute numbers.",
            ""]
    return "\n".join(out)


IDLE_FRAMES = re.compile(r"epollWait|epollBusyWait|ioUringEnter|Unsafe\.park|Object\.wait|Thread\.sleep|"
                         r"FileInputStream\.readBytes|FileDispatcherImpl\.read0|ServerSocket|accept0|"
                         r"SelectorImpl|EPoll\.wait")


def jfr_summary(directory, top=25):
    """Hottest methods (top frame of jdk.ExecutionSample) of each recording, for naming a bottleneck."""
    jfr = shutil.which("jfr") or os.path.join(os.path.dirname(os.path.realpath(shutil.which("java") or "java")), "jfr")
    lines = []
    for fn in sorted(os.listdir(directory)):
        if not fn.endswith(".jfr"):
            continue
        try:
            out = subprocess.run([jfr, "print", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample",
                                  os.path.join(directory, fn)], capture_output=True, text=True, timeout=300).stdout
        except (OSError, subprocess.TimeoutExpired) as e:
            lines.append(f"{fn}: jfr print failed: {e}")
            continue
        counts, total, grab, idle = {}, 0, False, 0
        for line in out.splitlines():
            if "stackTrace = [" in line:
                grab = True
                continue
            if grab:
                frame = re.sub(r"\s+line:.*$", "", line.strip())
                grab = False
                if IDLE_FRAMES.search(frame):
                    idle += 1
                    continue
                counts[frame] = counts.get(frame, 0) + 1
                total += 1
                grab = False
        lines.append(f"== {fn}: {total} samples on CPU or in a system call (top frame; {idle} samples of threads "
                     "waiting for events left out)")
        for frame, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"{100.0 * n / max(total, 1):5.1f}%  {frame}")
    path = os.path.join(directory, "hot-methods.txt")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="one repetition of short tests (about 3 minutes)")
    g.add_argument("--smoke", action="store_true",
                   help="one short pass per available topology, verifying bytes arrive intact; exit 1 on failure")
    ap.add_argument("--only", help="comma-separated topologies: " + ",".join(t[0] for t in TOPOLOGIES))
    ap.add_argument("--reps", type=int, help="repetitions (default: 3 full, 1 quick/smoke)")
    ap.add_argument("--idle-connections", type=int, help="idle connections to hold (default 10000 full)")
    ap.add_argument("--idle-reps", type=int, help="repetitions that also run the idle-connection test (default 1)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the distribution first (it is rebuilt anyway when missing or "
                                                      "older than the sources)")
    ap.add_argument("--dist", help="measure this distribution directory instead of "
                                   "proxy-launcher/target/tcp-to-any-proxy (it is not built)")
    ap.add_argument("--jfr", metavar="DIR", help="record our nodes with Java Flight Recorder into DIR and "
                                                  "write DIR/hot-methods.txt (the numbers are then not for publishing)")
    ap.add_argument("--report", metavar="JSON", help="only re-render the Markdown of a stored result (e.g. "
                                                     "bench/results/latest.json) next to it, and print it")
    ap.add_argument("--out", help="results directory (default bench/results; smoke writes *.tmp files)")
    args = ap.parse_args()

    global DIST, LAUNCHER, JFR_DIR
    if args.report:
        with open(args.report) as f:
            result = json.load(f)
        result["targets"] = targets(result["topologies"])
        md = markdown(result, [t[0] for t in TOPOLOGIES if t[0] in result["topologies"]])
        with open(re.sub(r"\.json$", "", args.report) + ".md", "w") as f:
            f.write(md)
        print(md)
        return 0
    if args.jfr:
        JFR_DIR = os.path.abspath(args.jfr)
        os.makedirs(JFR_DIR, exist_ok=True)
    if args.dist:
        DIST = os.path.abspath(args.dist)
        LAUNCHER = os.path.join(DIST, "bin", "tcp-to-any-proxy")
        if not os.path.exists(LAUNCHER):
            ap.error(f"no bin/tcp-to-any-proxy in {DIST}")
    mode = "smoke" if args.smoke else ("quick" if args.quick else "full")
    cfg = dict(MODES[mode])
    if args.reps:
        cfg["reps"] = args.reps
    if args.idle_reps is not None:
        cfg["idle_reps"] = args.idle_reps
    if args.idle_connections is not None:
        cfg["idle"] = args.idle_connections

    wanted = [t[0] for t in TOPOLOGIES]
    if args.only:
        wanted = []
        for n in args.only.split(","):
            n = ALIASES.get(n.strip(), n.strip())
            if n not in [t[0] for t in TOPOLOGIES]:
                ap.error(f"unknown topology {n}; known: {', '.join(t[0] for t in TOPOLOGIES)}")
            wanted.append(n)

    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.time()
    facts = machine_facts()
    ensure_tools()
    need_launcher = any(t[2] == "ours" and t[0] in wanted for t in TOPOLOGIES)
    ensure_build(args.rebuild, need_launcher, own_dist=not args.dist)
    transports = available_transports()
    if not os.path.exists(LAUNCHER):
        log(f"no launcher at {LAUNCHER}: only the baselines can run")
    log(f"transports found: {', '.join(sorted(transports)) or 'none'}")

    plan, skipped = [], []
    for name, label, kind, transport in TOPOLOGIES:
        if name not in wanted:
            continue
        if kind == "ours" and transport not in transports:
            skipped.append(f"{label} (no '{transport}' transport yet)")
            continue
        plan.append((name, label, kind, transport))
    for s in skipped:
        log(f"skipping {s}")

    work = tempfile.mkdtemp(prefix="tcp-to-any-bench.")
    log(f"mode {mode}: {cfg['reps']} repetition(s) of {', '.join(p[0] for p in plan)}; logs in {work}")
    topos = {name: {"label": label, "kind": kind, "transport": transport, "runs": [], "errors": []}
             for name, label, kind, transport in plan}
    failures = []
    for rep in range(cfg["reps"]):
        for name, label, kind, transport in plan:
            t = topos[name]
            do_idle = rep < cfg["idle_reps"] and kind in ("ours", "haproxy") and cfg["idle"] > 0
            log(f"run {rep + 1}/{cfg['reps']}: {label}")
            tw = os.path.join(work, f"{name}-{rep + 1}")
            os.makedirs(tw, exist_ok=True)
            r = None
            try:
                r = start_topology(name, kind, transport, tw, cfg["idle"])
                m = measure(r, tw, cfg, do_idle, cfg["idle"])
                m["rep"] = rep + 1
                if "idle_error" in m:
                    msg = f"{label}, run {rep + 1}: {m['idle_error']}"
                    log(f"  FAILED: {msg}")
                    t["errors"].append(m["idle_error"])
                    failures.append(msg)
                if "verify_ok" in m:
                    log(f"  {label}: 4 connections x {cfg['verify_bytes'] >> 20} MiB echoed intact (SHA-256)")
                t["runs"].append(m)
                log(f"  {label}: -P1 {m['tput_p1_gbps']:.2f} -P4 {m['tput_p4_gbps']:.2f} -R {m['tput_r_gbps']:.2f} "
                    f"Gbit/s, p50 {m['lat_p50_us']:.0f} µs, p99 {m['lat_p99_us']:.0f} µs, "
                    f"{m['conn_seq_per_s']:.0f}/{m['conn_conc_per_s']:.0f} conn/s"
                    + (f", {m['cpu_s_per_gb']:.2f} CPU s/GB" if "cpu_s_per_gb" in m else "")
                    + (f", {m['idle_count']} idle held, RSS {m['rss_idle_conns_mb'][0]:.0f}/"
                       f"{m['rss_idle_conns_mb'][1]:.0f} MB" if "idle_count" in m else ""))
            except (BenchError, OSError, subprocess.SubprocessError, KeyError, ValueError) as e:
                msg = f"{label}, run {rep + 1}: {e}"
                log(f"  FAILED: {msg} (logs: {tw})")
                for fn in sorted(os.listdir(tw)):
                    if fn.endswith(".log") and not fn.startswith(("iperf3", "loadtool")):
                        with open(os.path.join(tw, fn), errors="replace") as f:
                            tail = [l.rstrip() for l in f.readlines()[-4:] if l.strip()]
                        for l in tail:
                            log(f"    {fn}: {l[:300]}")
                t["errors"].append(str(e))
                failures.append(msg)
            finally:
                if r is not None:
                    stop_topology(r)

    for t in topos.values():
        t["median"], t["spread"], t["samples"] = aggregate(t["runs"])
    order = [p[0] for p in plan]
    result = {
        "mode": mode, "started": started.isoformat(timespec="seconds"),
        "duration_s": round(time.time() - t0, 1), "machine": facts, "git": git_facts(),
        "java_opts": os.environ.get("JAVA_OPTS", ""), "settings": cfg, "transports": sorted(transports),
        "skipped": skipped, "failures": failures, "topologies": topos,
    }
    result["machine"]["load_avg_end"] = open("/proc/loadavg").read().strip()
    result["targets"] = targets(topos)
    md = markdown(result, order)

    outdir = args.out or (JFR_DIR or RESULTS)
    os.makedirs(outdir, exist_ok=True)
    if mode == "smoke":
        paths = [os.path.join(outdir, "smoke.json.tmp"), os.path.join(outdir, "smoke.md.tmp")]
    else:
        stamp = started.strftime("%Y%m%d-%H%M")
        paths = [os.path.join(outdir, f"{stamp}-{mode}.json"), os.path.join(outdir, f"{stamp}-{mode}.md"),
                 os.path.join(outdir, "latest.json"), os.path.join(outdir, "latest.md")]
    for p in paths:
        with open(p, "w") as f:
            if p.endswith(".json") or p.endswith(".json.tmp"):
                json.dump(result, f, indent=2, sort_keys=False)
                f.write("\n")
            else:
                f.write(md)
    print()
    print(md)
    log(f"wrote {', '.join(os.path.relpath(p, ROOT) for p in paths)} in {time.time() - t0:.0f} s")
    if JFR_DIR:
        log(f"hottest methods per node: {jfr_summary(JFR_DIR)}")
    if mode == "smoke":
        bad = sum(1 for t in topos.values() if t["errors"] or not t["runs"])
        # A plain closing line, so a CI log shows what the smoke run checked.
        print(f"smoke: {len(topos) - bad} passed, {bad} failed")
    if failures:
        log(f"{len(failures)} failure(s); logs kept in {work}")
        return 1
    if not plan:
        log("nothing was measured")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"error: {e}")
        sys.exit(1)
    except subprocess.CalledProcessError as e:
        log(f"error: {' '.join(map(str, e.cmd))} exited with {e.returncode}")
        sys.exit(1)
