import json
import subprocess
import sys

from tests.voicewatch.helpers import REPO


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voicewatch.sentiment", *args], cwd=REPO, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_json_lines(tmp_path) -> None:
    f = tmp_path / "texts.txt"
    f.write_text("No problem at all, go ahead.\nBakwas service hai, bilkul bekaar!\n\nI love it\n", encoding="utf-8")
    proc = _run(str(f), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[0]["text"] == "No problem at all, go ahead." and rows[0]["score"] > 0
    assert rows[1]["score"] < -0.5 and rows[1]["label"] == "negative"
    assert rows[2]["score"] == 0 and rows[2]["label"] == "neutral"
    assert all(-1 <= r["score"] <= 1 for r in rows)


def test_plain_output_and_stdin() -> None:
    proc = _run("-", stdin="great job\n")
    assert proc.returncode == 0 and "positive" in proc.stdout


def test_missing_file_is_one_line_and_exit_2() -> None:
    proc = _run("/nonexistent/texts.txt", "--json")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "cannot read" in proc.stderr
