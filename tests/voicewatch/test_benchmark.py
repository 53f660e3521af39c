"""The VoiceWatch latency benchmark on the shared corpus (a missing corpus fails the test)."""

from voicewatch.eval import shared_corpus


def test_benchmark_reports_latency_within_budget() -> None:
    from benchmarks import voicewatch as bench

    result = bench.run(["--corpus", str(shared_corpus()), "--repeat", "1", "--json"])
    assert {"events", "p50_ms", "p99_ms", "max_ms"} <= set(result)
    assert result["events"] > 500
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert result["p99_ms"] < 5.0
