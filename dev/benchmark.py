"""Benchmark _base64 against the same CPython without Rust, and pybase64.

In one run on one machine, from one applied CPython tree: builds (or
reuses) the interpreter configured --without-rust ("stock"), --with-rust,
and --with-rust --disable-gil; installs pyperf into each, and pybase64 into
the Rust build, with the pip wheel CPython bundles; then times, with pyperf
(dev/bench_worker.py), every base64 function at each size in each
implementation, memcpy (a bytes(bytearray) copy) as the physical limit,
threads encoding (or hashing, for reference) 1 MiB inputs, and the
references the Rust b64encode and b64decode are held to (binascii's C
functions, and bytearray and memoryview inputs).  Prints
markdown tables (and writes them to --output): MB/s of input, Rust/stock,
Rust/pybase64, Rust/memcpy.

The thread scaling is a ratio of two measurements, so anything else on
the machine that changes between them (other tenants of a virtual
machine's host share its caches and memory) skews it: the one- and
two-thread measurements of both builds are taken in turns, several
rounds, and the table shows the median ratio of a round and the range.

    python3 dev/benchmark.py --tree .work/Python-3.13.15 --output dev/benchmark-results.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "dev"))

from bench_worker import FUNCTIONS, REFERENCES, THREAD_FUNCTIONS, VALIDATING  # noqa: E402

WORKER = PROJECT / "dev" / "bench_worker.py"
SIZES = [32, 4096, 1 << 20, 64 << 20]
# Above this size only --large-functions are timed: stock's pure-Python
# base32 and base85 take seconds per call there.
LARGE = 1 << 20
# Flags that tell which vector kernels the CPU can run.
CPU_FLAGS = ["sse4_1", "avx2", "avx512f", "avx512bw", "avx512vbmi"]


def run(*cmd: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    print("$", " ".join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, check=True)


class Interpreter:
    """A CPython build directory and a site directory of extra packages."""

    def __init__(self, tree: Path, build: Path, *options: str) -> None:
        self.tree, self.build = tree, build
        self.python = build / "python"
        if not self.python.exists():
            build.mkdir(parents=True, exist_ok=True)
            run(tree / "configure", *options, cwd=build)
            run("make", f"-j{os.cpu_count() or 2}", cwd=build)
        self.site = build / "bench-site"

    def install(self, *packages: str) -> None:
        wheel = next((self.tree / "Lib" / "ensurepip" / "_bundled").glob("pip-*.whl"))
        run(self.python, f"{wheel}/pip", "install", "--quiet", "--disable-pip-version-check",
            "--only-binary=:all:", "--target", str(self.site), *packages)

    def env(self, **extra: str) -> dict[str, str]:
        return dict(os.environ, PYTHONPATH=str(self.site), **extra)

    def bench(self, impl: str, sizes: list[int], pyperf_options: list[str],
              functions: str = "", **env: str) -> dict[str, float]:
        """Seconds per call of each benchmark of `impl`."""
        with tempfile.TemporaryDirectory() as scratch:
            output = Path(scratch) / "result.json"
            run(self.python, WORKER, "--impl", impl, "--sizes", ",".join(map(str, sizes)),
                *(["--functions", functions] if functions else []),
                "--inherit-environ", "PYTHONPATH,_PYTHON_BASE64_SIMD",
                "--output", output, *pyperf_options, env=self.env(**env))
            return mean_times(json.loads(output.read_text()))


def mean_times(suite: dict) -> dict[str, float]:
    """name -> mean seconds per call, from a pyperf JSON file (values are
    already per loop and inner loop).  Metadata that all the file's
    benchmarks share, the name too when there is only one, is the suite's."""
    times = {}
    for bench in suite["benchmarks"]:
        values = [value for run in bench["runs"] for value in run.get("values", [])]
        metadata = {**suite.get("metadata", {}), **bench.get("metadata", {})}
        times[metadata["name"]] = sum(values) / len(values)
    return times


def throughputs(times: dict[str, float]) -> dict[tuple[str, str, int], float]:
    """(impl, function, size) -> MB/s of input."""
    result = {}
    for name, seconds in times.items():
        impl, function, size, input_len = name.split("/")
        result[impl, function, int(size)] = int(input_len) / seconds / 1e6
    return result


def cpu_description() -> str:
    model, flags = platform.processor() or "unknown CPU", set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    present = " ".join(flag for flag in CPU_FLAGS if flag in flags) or "none of these"
    return f"{model}, {os.cpu_count()} CPUs; flags ({', '.join(CPU_FLAGS)}): {present}"


def size_label(size: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None:
        return ""
    return f"{numerator / denominator:.2f}"


def mbps(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def thread_rows(rounds: dict[tuple[str, str], list[tuple[float, float]]]) -> list[str]:
    """A row per build and function: median throughputs, the median ratio
    of a round's two measurements, and the lowest and highest ratio."""
    rows = []
    for (build, function), measured in rounds.items():
        ratios = sorted(two / one for one, two in measured)
        one = statistics.median(one for one, _ in measured)
        two = statistics.median(two for _, two in measured)
        rows.append(f"| {build} | {function} | {mbps(one)} | {mbps(two)} | "
                    f"{statistics.median(ratios):.2f} | {ratios[0]:.2f}, {ratios[-1]:.2f} |")
    return rows


def table(results: dict[tuple[str, str, int], float], functions: list[str],
          sizes: list[int]) -> list[str]:
    lines = ["| function | size | stock MB/s | Rust MB/s | pybase64 MB/s | Rust/stock "
             "| Rust/pybase64 | Rust/memcpy |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for function in functions:
        for size in sizes:
            stock = results.get(("stock", function, size))
            rust = results.get(("rust", function, size))
            if rust is None:
                continue
            other = results.get(("pybase64", function, size))
            memcpy = results.get(("memcpy", "bytes", size))
            lines.append(f"| {function} | {size_label(size)} | {mbps(stock)} | {mbps(rust)} "
                         f"| {mbps(other)} | {ratio(rust, stock)} | {ratio(rust, other)} "
                         f"| {ratio(rust, memcpy)} |")
    return lines


def reference_table(results: dict[tuple[str, str, int], float], sizes: list[int]) -> list[str]:
    lines = ["| reference | size | reference MB/s | compared with | Rust MB/s (bytes) "
             "| Rust/reference |", "|---|---|---:|---|---:|---:|"]
    for name in REFERENCES:
        compared = REFERENCES[name][3]
        for size in sizes:
            reference = results.get(("reference", name, size))
            rust = results.get(("rust", compared, size))
            lines.append(f"| `{name}` | {size_label(size)} | {mbps(reference)} | {compared} "
                         f"| {mbps(rust)} | {ratio(rust, reference)} |")
    return lines


def print_tables(lines: list[str], output: Path | None) -> None:
    """Print the report's lines, and write them to `output` if given."""
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    if output:
        output.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True,
                        help="CPython tree with the overlay applied")
    parser.add_argument("--work", type=Path, default=PROJECT / ".work" / "bench",
                        help="where the three builds go (reused if present)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--large-functions", default="b64encode,b64decode",
                        help=f"the functions also timed at sizes above {LARGE >> 20} MiB "
                             "(default: %(default)s)")
    parser.add_argument("--functions", default="",
                        help="comma-separated subset (default: all)")
    parser.add_argument("--level", help="cap the Rust build's SIMD level (_PYTHON_BASE64_SIMD)")
    parser.add_argument("--rigorous", action="store_true",
                        help="pyperf's default number of processes instead of --fast")
    parser.add_argument("--thread-rounds", type=int, default=5,
                        help="rounds of the thread measurements (default: 5)")
    parser.add_argument("--output", type=Path, help="also write the tables here")
    args = parser.parse_args()
    tree = args.tree.resolve()
    sizes = [int(size) for size in args.sizes.split(",")]
    pyperf_options = [] if args.rigorous else ["--fast"]
    stock = Interpreter(tree, args.work / "stock", "--without-rust")
    rust = Interpreter(tree, args.work / "rust", "--with-rust")
    free_threaded = Interpreter(tree, args.work / "free-threaded", "--with-rust", "--disable-gil")
    for interpreter in (stock, rust, free_threaded):
        interpreter.install("pyperf")
    rust.install("pybase64")
    level = {"_PYTHON_BASE64_SIMD": args.level} if args.level else {}

    small = [size for size in sizes if size <= LARGE]
    large = [size for size in sizes if size > LARGE]
    groups = [(small, args.functions)]
    if large:
        chosen = args.large_functions.split(",")
        if args.functions:
            chosen = [name for name in chosen if name in args.functions.split(",")]
        groups += [(large, ",".join(chosen))] if chosen else []
    times = {}
    for group_sizes, functions in groups:
        for name, interpreter in (("stock", stock), ("rust", rust)):
            measured = interpreter.bench("base64", group_sizes, pyperf_options, functions,
                                         **level)
            times.update({key.replace("base64/", f"{name}/", 1): value
                          for key, value in measured.items()})
        times.update(rust.bench("pybase64", group_sizes, pyperf_options, functions))
    times.update(rust.bench("memcpy", sizes, pyperf_options))
    times.update(rust.bench("reference", small, pyperf_options, **level))
    results = throughputs(times)
    rounds: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.thread_rounds):
        for build, interpreter in (("default (GIL)", rust), ("free-threaded", free_threaded)):
            measured = throughputs(interpreter.bench("threads", sizes, pyperf_options, **level))
            for function in THREAD_FUNCTIONS:
                rounds.setdefault((build, function), []).append(
                    (measured["threads", function, 1], measured["threads", function, 2]))

    measured = {function for (impl, function, _) in results if impl == "rust"}
    functions = [name for name in FUNCTIONS + [VALIDATING] if name in measured]
    version = subprocess.run([rust.python, "-VV"], capture_output=True, text=True).stdout
    report = [
        "# _base64 benchmark", "",
        f"- CPU: {cpu_description()}",
        f"- CPython: {version.strip()}",
        f"- SIMD level of the Rust build: {args.level or 'the best this CPU has'}",
        f"- pyperf {'default processes' if args.rigorous else '--fast'}; MB/s of input "
        "(a decoder's input is the encoding of the size shown); memcpy is `bytes(bytearray)`.",
        "",
        *table(results, functions, sizes),
        "", "Threads, each calling the function on its own 1 MiB input "
        f"(medians of {args.thread_rounds} rounds; `hashlib.sha256` is the reference: "
        "CPython's C, GIL released, little memory traffic):", "",
        "| build | function | 1 thread MB/s | 2 threads MB/s | 2 threads / 1 "
        "| lowest, highest |",
        "|---|---|---:|---:|---:|---|",
        *thread_rows(rounds),
        "", "What the Rust functions are held to, in the Rust build: the C functions "
        "doing the same work (`binascii`, one positional argument; b2a_base64 adds a "
        "newline), and `bytearray` and `memoryview(bytearray)` inputs (read in place "
        "when the call alone has exported them, in a build with the GIL) against "
        "`bytes`; these rows are timed after the table above, so a ratio also holds the "
        "machine's drift between the two:", "",
        *reference_table(results, [size for size in sizes if size <= LARGE]),
    ]
    print_tables(report, args.output)


if __name__ == "__main__":
    main()
