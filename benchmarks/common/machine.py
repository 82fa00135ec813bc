"""What the benchmark ran on: CPU, libraries, BLAS thread pools, load average.

Timings mean little without the machine they were taken on, and a shared machine
is only quiet some of the time: the load average is recorded at the start and the
end of a run, and :func:`load_warnings` flags a run that was disturbed.
"""

from __future__ import annotations

import contextlib
import os
import platform

import numpy as np

# Threadpool fields kept in the report (threadpoolctl gives more).
_THREADPOOL_FIELDS = (
    "user_api",
    "internal_api",
    "version",
    "num_threads",
    "architecture",
    "threading_layer",
    "filepath",
)


def load_average():
    """The 1, 5 and 15-minute load averages, or None where the OS has none.

    Returns
    -------
    tuple of float or None
    """
    with contextlib.suppress(OSError, AttributeError):
        return os.getloadavg()
    return None


def load_average_text():
    """The load averages as ``"1.05, 0.99, 1.02"`` (``"n/a"`` where the OS has none).

    Returns
    -------
    str
    """
    loads = load_average()
    return "n/a" if loads is None else ", ".join(f"{x:.2f}" for x in loads)


def _cpu_model_and_simd():
    cpu, flags = "?", ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "?":
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1]
    except OSError:  # not Linux
        cpu = platform.processor() or "?"
    simd = [s for s in ("avx512f", "avx2", "fma", "avx") if f" {s} " in f" {flags} "]
    return cpu, simd


def _threadpools():
    try:
        from threadpoolctl import threadpool_info

        return [{k: d.get(k) for k in _THREADPOOL_FIELDS} for d in threadpool_info()]
    except Exception as exc:  # threadpoolctl missing or confused: report, do not fail
        return [{"error": f"threadpoolctl: {exc}"}]


def machine_info(torch_mod=None, skdeep_msg=None):
    """Describe the machine and the libraries, and record the load average now.

    Parameters
    ----------
    torch_mod : module or None, default=None
        The imported ``torch``, to record its version and threads; None if the
        benchmark runs without PyTorch.
    skdeep_msg : str or None, default=None
        Where skdeep was imported from, or why it could not be.

    Returns
    -------
    dict
        JSON-serialisable; ``"loadavg_start"`` is set when the OS has a load
        average. Store ``load_average()`` under ``"loadavg_end"`` at the end of
        the run for :func:`load_warnings`.
    """
    import scipy
    import sklearn

    info = {}
    info["cpu_model"], info["cpu_simd"] = _cpu_model_and_simd()
    info["cpu_count"] = os.cpu_count()
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        info["cpus_usable"] = os.cpu_count()
    info["python"] = platform.python_version()
    info["platform"] = platform.platform()
    info["numpy"] = np.__version__
    info["scipy"] = scipy.__version__
    info["sklearn"] = sklearn.__version__
    info["threadpools"] = _threadpools()
    try:
        cfg = np.show_config(mode="dicts")
        b = cfg.get("Build Dependencies", {}).get("blas", {})
        info["numpy_blas"] = f"{b.get('name')} {b.get('version')}"
    except Exception:  # NumPy < 1.26 has no mode="dicts"
        info["numpy_blas"] = "?"
    info["torch"] = torch_mod.__version__ if torch_mod is not None else None
    if torch_mod is not None:
        info["torch_threads"] = torch_mod.get_num_threads()
        info["torch_mkl"] = bool(torch_mod.backends.mkl.is_available())
        info["torch_mkldnn"] = bool(torch_mod.backends.mkldnn.is_available())
    info["skdeep"] = skdeep_msg
    loadavg = load_average()
    if loadavg is not None:
        info["loadavg_start"] = loadavg
    return info


def short_path(path):
    """``'.../site-packages/numpy.libs/libfoo.so'`` -> ``'numpy.libs/libfoo.so'``.

    Parameters
    ----------
    path : str or None

    Returns
    -------
    str
    """
    if not path:
        return ""
    parent, base = os.path.split(path)
    return os.path.join(os.path.basename(parent), base)


def print_machine_info(info, torch_threads):
    """Print the ``## Machine`` section of a markdown report.

    Parameters
    ----------
    info : dict
        From :func:`machine_info`.
    torch_threads : int
        The thread count requested from PyTorch (shown next to what it got).
    """
    print("## Machine")
    print()
    print(
        f"- CPU: {info['cpu_model']} ({', '.join(info['cpu_simd']) or 'no AVX'}); "
        f"cores: {info['cpu_count']} (usable by this process: {info['cpus_usable']})"
    )
    print(f"- Python {info['python']} on {info['platform']}")
    print(
        f"- numpy {info['numpy']} (built against {info['numpy_blas']}), "
        f"scipy {info['scipy']}, scikit-learn {info['sklearn']}"
    )
    for d in info["threadpools"]:
        if "error" in d:
            print(f"- threadpool: {d['error']}")
        else:
            print(
                f"- threadpool: {d['internal_api']} {d['version']} "
                f"({d['user_api']}, {d['threading_layer']}, arch {d['architecture']}, "
                f"{d['num_threads']} threads) {short_path(d['filepath'])}"
            )
    if info["torch"]:
        print(
            f"- torch {info['torch']} (set_num_threads({torch_threads}) -> "
            f"{info['torch_threads']} threads, MKL {info['torch_mkl']}, "
            f"oneDNN {info['torch_mkldnn']})"
        )
    else:
        print("- torch: not available (torch columns skipped)")
    print(f"- skdeep: {info['skdeep']}")
    if "loadavg_start" in info:
        print("- load average at start: " + ", ".join(f"{x:.2f}" for x in info["loadavg_start"]))
    print()


def load_warnings(info, start_limit=0.5, end_limit=3.0):
    """Flag a 1-minute load average that shows other processes competing for the CPUs.

    Parameters
    ----------
    info : dict
        With ``"loadavg_start"`` and/or ``"loadavg_end"``.
    start_limit : float, default=0.5
        Limit at the start, when nothing of the benchmark runs yet.
    end_limit : float, default=3.0
        Limit at the end; higher, because the benchmark's own threads count in it.

    Returns
    -------
    list of str
    """
    out = []
    for when, limit in (("loadavg_start", start_limit), ("loadavg_end", end_limit)):
        la = info.get(when)
        if la and la[0] > limit:
            out.append(
                f"1-min load average {la[0]:.2f} at {when.split('_')[1]} "
                f"(> {limit}): other processes were competing for the CPUs"
            )
    return out
