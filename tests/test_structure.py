"""Runtime code stays in pieces a reader can hold: files of at most 600 lines, functions
of at most 40, unless a comment just above the function says why it is longer."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOST_LINES_A_FILE = 600
MOST_LINES_A_FUNCTION = 40
WHY = "# longer than 40 lines:"  # the comment that lets a function run longer, and why


def runtime_files() -> Iterator[Path]:
    for package in ("backend", "sync"):
        yield from sorted((ROOT / package).rglob("*.py"))


def long_functions(path: Path, root: Path = ROOT) -> Iterator[str]:
    lines = path.read_text().splitlines()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assert node.end_lineno is not None
        if node.end_lineno - node.lineno + 1 <= MOST_LINES_A_FUNCTION:
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        if not lines[first - 2].strip().startswith(WHY):
            yield f"{path.relative_to(root)}:{node.lineno} {node.name}"


def test_no_runtime_file_is_longer_than_600_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in runtime_files()
        if (n := len(path.read_text().splitlines())) > MOST_LINES_A_FILE
    }
    assert long == {}


def test_no_runtime_function_is_longer_than_40_lines_without_saying_why():
    assert [name for path in runtime_files() for name in long_functions(path)] == []


def test_the_check_finds_a_long_function_and_accepts_a_reason(tmp_path):
    body = "".join(f"    x{n} = {n}\n" for n in range(MOST_LINES_A_FUNCTION))
    plain = tmp_path / "plain.py"
    plain.write_text(f"def f():\n{body}")
    assert [name.rpartition(" ")[2] for name in long_functions(plain, tmp_path)] == ["f"]
    explained = tmp_path / "explained.py"
    explained.write_text(f"{WHY} one table, read top to bottom\ndef f():\n{body}")
    assert list(long_functions(explained, tmp_path)) == []
