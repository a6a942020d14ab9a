"""The kernel sandbox: run a submission's kernel in a sandbox: no network, a private file system, a
separate unprivileged user, capped memory and processes, nothing left behind.

Levels (strongest first; ``detect_level()`` probes once which ones work here):

``"sandbox"``
    The kernel runs under bubblewrap (``bwrap``) in fresh pid, network, ipc, uts
    and cgroup namespaces. Its file system holds read-only binds of only what
    Python needs (``/usr``, a few ``/etc`` files, the Python installation, the
    venv) and of the course code in ``SandboxConfig.packages``: ``dlkit`` and the
    kernel's half of the trust boundary (``autograder.kernel.inside`` and
    ``plaindata``, with their packages' ``__init__.py``), nothing else of
    ``autograder``, so the checks, their hidden inputs and oracles cannot be read;
    not the repository root, so ``solutions/``, gradebooks and other submissions are
    invisible. Then a writable scratch directory (its cwd and ``HOME``), a private
    ``/tmp``, ``/proc`` and ``/dev``. With no network, kernel and grader talk over
    Unix sockets (zmq's ``ipc`` transport) in a per-kernel socket directory bound
    at the same path. When the grader is root the kernel drops to its own uid
    (``uid_base + slot``). Killing the kernel (or the grader: ``--die-with-parent``)
    ends the pid namespace, and with it every process the submission started.
``"rlimits"``
    No usable bwrap: the same resource limits and environment, an unprivileged
    uid when the grader is root and Python is readable by it, the kernel in a
    session of its own; at the end its process group (and, with a uid of its own,
    every process of that uid) is killed. Files and network are not fenced off.
``"none"``
    Plain ``AsyncKernelManager`` (asked for explicitly, or nothing else works).

Resource limits (``prlimit``): address space (``memory_bytes``, 4 GiB: an
allocation beyond it raises ``MemoryError`` in the kernel, which keeps running),
processes and threads of the kernel's uid (``nproc``), file size, no core dumps.

Hooking it in. nbgrader's ``Execute.__init__`` passes ``kernel_manager_class=
AsyncKernelManager`` as a keyword, which beats any config, so
``c.SlicedExecute.kernel_manager_class = ...`` is silently ignored. The
preprocessor has to default the keyword itself::

    class SlicedExecute(Execute):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
            super().__init__(*args, **kwargs)

nbgrader/nbclient create the kernel manager with the preprocessor's config, so
the settings reach it from ``nbgrader_config.py`` or the config object built per
submission::

    c.SandboxConfig.level = "auto"             # or "sandbox", "rlimits", "none"
    c.SandboxConfig.memory_bytes = 4 * 2**30
    c.SandboxConfig.slot = 3                   # per concurrently graded submission
    c.SandboxConfig.scratch_dir = "/path/to/workdir/scratch"   # optional

or per worker process through the environment (read when the kernel manager is
made): ``AUTOGRADER_SANDBOX_SLOT``, ``AUTOGRADER_SANDBOX_SCRATCH``,
``AUTOGRADER_SANDBOX_LEVEL``. Directly with nbclient::

    NotebookClient(nb, kernel_manager_class=SandboxedKernelManager, config=config)

The kernel's cwd is the scratch directory (not the notebook's folder). Without a
``scratch_dir`` a fresh one is made next to the sockets and removed afterwards.
Two kernels running at once need different slots (the uid sweep at the end kills
every process of the slot's uid): by default each kernel takes the lowest free one
(a lock file per slot under ``socket_root``); a slot set explicitly is used as is.

This package imports nothing else of ``autograder``: the grading code above it
(``autograder.preprocessors``) asks it for a kernel manager, and it knows nothing
of notebooks, checks or grades.

- :mod:`~autograder.sandbox.config`: ``SandboxConfig``, the settings;
- :mod:`~autograder.sandbox.workspace`: the folders of one kernel;
- :mod:`~autograder.sandbox.command`: the command line (bwrap, prlimit, setpriv) and environment;
- :mod:`~autograder.sandbox.levels`: which levels work on this machine;
- :mod:`~autograder.sandbox.manager`: ``SandboxedKernelManager``, which puts them together.
"""

from autograder.sandbox.config import LEVELS, SandboxConfig
from autograder.sandbox.levels import describe, detect_level, resolve_mode, working_mode
from autograder.sandbox.manager import SandboxedKernelManager, acquire_slot

__all__ = [
    "LEVELS",
    "SandboxConfig",
    "SandboxedKernelManager",
    "acquire_slot",
    "describe",
    "detect_level",
    "resolve_mode",
    "working_mode",
]
