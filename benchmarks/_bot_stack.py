"""What the turn and load benchmarks set up alike: a work folder, and pbx with its turn marks.

    with bench_work("cc-bench-load-", keep) as (work, cleanup):
        asterisk, redis_server = _throwaway_stack(cleanup, ...)
        pbx = start_timed_pbx(cleanup, asterisk, redis_server.url, work, env)
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from benchmarks.dialer import _stopped_on_sigterm
from contactcenter.site.config import StackConfig
from ops.stack.asterisk import AsteriskInstance
from ops.stack.pbx_process import PbxProcess

TURNS_FILE = "pbx-turns.jsonl"  # pbx's marks of each reply (benchmarks._pbx_turns)


@contextlib.contextmanager
def bench_work(prefix: str, keep: bool) -> Iterator[tuple[Path, contextlib.ExitStack]]:
    """A temporary folder (removed at the end unless ``keep``) and the clean-up that stops what
    the run starts, also on SIGTERM; refuses to start without the installed Asterisk."""
    if not (StackConfig.from_env().asterisk_root / "usr" / "sbin" / "asterisk").exists():
        raise RuntimeError("Asterisk is not installed; run `make setup`")
    work = Path(tempfile.mkdtemp(prefix=prefix))
    with _stopped_on_sigterm(), contextlib.ExitStack() as cleanup:
        if not keep:
            cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        yield work, cleanup


def start_timed_pbx(cleanup: contextlib.ExitStack, asterisk: AsteriskInstance, redis_url: str, work: Path,
                    env: Mapping[str, str]) -> PbxProcess:  # fmt: skip
    """``python -m pbx`` writing its turn marks to ``work / TURNS_FILE``, started with its bot ready."""
    pbx = PbxProcess(asterisk, redis_url, work / "pbx", consumer_name=f"bench-{uuid.uuid4().hex[:6]}",
                     env={"BENCH_TURNS_FILE": str(work / TURNS_FILE), **env},
                     module="benchmarks._pbx_turns")  # fmt: skip
    cleanup.callback(pbx.stop)
    pbx.start(timeout=180, wait_for_bot=True)  # its error names pbx's last log lines
    return pbx
