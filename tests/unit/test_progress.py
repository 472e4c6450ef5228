"""progress.Progress, the one bar of replay (a known count) and the report's Scan (an estimate)."""

from __future__ import annotations

import io
import threading

from voice_receipts.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(total: int, stream: io.StringIO) -> str:
    bar = Progress(total, stream=stream)
    for done in range(1, total + 1):
        bar.step(done)
    bar.close()
    return stream.getvalue()


def test_a_known_count_is_drawn_every_50_items_and_at_the_end():
    out = run(260, Terminal())
    frames = out.split("\r")[1:]
    assert [f.split()[-1] for f in frames] == [
        "50/260",
        "100/260",
        "150/260",
        "200/260",
        "250/260",
        "260/260",
    ]
    assert frames[-1] == "[" + "#" * 30 + "] 260/260\n"  # full, and the line ended
    assert frames[0].startswith("[" + "#" * 5 + "." * 25 + "]")


def test_no_bar_for_a_small_input_or_off_a_terminal():
    assert run(199, Terminal()) == ""  # below PROGRESS_FROM
    assert run(500, io.StringIO()) == ""  # piped: nothing but the output itself


def test_an_estimate_grows_from_threads_and_the_cost_is_said_even_off_a_terminal():
    terminal = Terminal()
    bar = Progress(minimum=0, every=1, label="{done} items scanned", stream=terminal)
    bar.start(10)  # an approximate count: more may come
    workers = [threading.Thread(target=lambda: [bar.add(1) for _ in range(100)]) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert bar.done == 400
    assert terminal.getvalue().endswith("[" + "#" * 30 + "] 400 items scanned")  # capped at full
    bar.note("consumed 3 units")
    bar.close()  # the owner's close after the note adds nothing
    assert terminal.getvalue().endswith("400 items scanned\nconsumed 3 units\n")
    piped = io.StringIO()
    quiet = Progress(minimum=0, stream=piped)
    quiet.add(5)
    quiet.note("consumed 1 units")
    assert piped.getvalue() == "consumed 1 units\n"
