"""The stack's own Celery worker follows where speech runs (CC_SPEECH_MODE)."""

from __future__ import annotations

import pytest

from ops.stack.celery_worker import stack_worker, worker_args
from ops.stack.components import speech_worker


def test_in_process_the_worker_takes_only_the_default_queue_and_loads_no_model() -> None:
    worker = stack_worker("in-process", concurrency=4)
    assert (worker.queues, worker.concurrency, worker.ping_queue) == ("default", 1, "default")


def test_in_celery_mode_it_takes_the_asr_queue_with_a_pool_process_per_core_unless_set() -> None:
    worker = stack_worker("celery")
    assert worker.queues == "asr,default" and worker.ping_queue == "asr" and worker.concurrency >= 1
    assert stack_worker("celery", concurrency=3).concurrency == 3
    argv = worker_args("stack-x", worker.concurrency, worker.queues)
    assert argv[argv.index("-Q") + 1] == "asr,default"


@pytest.mark.parametrize(("mode", "queues"), [("in-process", "default"), ("celery", "asr,default"), ("", "default")])
def test_the_stack_reads_the_mode_from_the_environment(monkeypatch: pytest.MonkeyPatch, mode: str,
                                                       queues: str) -> None:  # fmt: skip
    monkeypatch.setenv("CC_SPEECH_MODE", mode)
    monkeypatch.setenv("CC_WORKER_CONCURRENCY", "2")
    worker = speech_worker()
    assert worker.queues == queues and worker.concurrency == (2 if mode == "celery" else 1)


def test_a_mode_that_does_not_exist_stops_the_stack_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from contactcenter.site.config import ConfigError

    monkeypatch.setenv("CC_SPEECH_MODE", "cloud")
    with pytest.raises(ConfigError, match="CC_SPEECH_MODE"):
        speech_worker()
