"""Progress of ``python -m bench`` on stderr: the section, the instance, skips and their
reasons, and an estimate of the time left. On a terminal, a tqdm bar per section (the
instance and the estimate in its postfix); elsewhere (a CI log), a plain line at most
every few seconds: the suite runs for minutes, so its log says where it is.

The estimate inside a section is its mean time per instance so far times the instances
left; a section not started yet counts its nominal time (measured on a 2-core machine, see
``NOMINAL_S``), scaled by how fast the finished sections ran against their own nominal.
"""
from __future__ import annotations

import sys
import time

# seconds per section of a full run (python -m bench, 2 cores: 1,287 s in all)
NOMINAL_S = {"random": 950.0, "2bp": 30.0, "large": 310.0, "mlperf-tiny": 5.0}
NOMINAL_QUICK_S = {"random": 2.0, "2bp": 2.0, "large": 1.0, "mlperf-tiny": 1.0}


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s" if m else f"{s}s"


class Progress:
    """Prints one line per step at most every ``every_s`` seconds when stderr is not a
    terminal (a CI log), a tqdm bar when it is; sections and notes always."""

    def __init__(self, sections, quick=False, stream=None, every_s=2.0):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        nominal = NOMINAL_QUICK_S if quick else NOMINAL_S
        self.pending = {s: nominal.get(s, 60.0) for s in sections}
        self.every_s, self.last_print = every_s, 0.0
        self.start = time.perf_counter()
        self.speed = 1.0                     # actual / nominal over finished sections
        self.done_nominal = self.done_actual = 0.0
        self.section, self.nominal_here = None, 0.0
        self.bar = None

    def begin(self, section: str, total: int):
        self._end_section()
        self.section, self.total, self.count = section, max(1, total), 0
        self.nominal_here = self.pending.pop(section, 0.0)
        self.section_start = time.perf_counter()
        self._line(f"[{section}] {total} instances", force=True)
        if self.tty:
            from tqdm import tqdm        # the bench extra's progress bar, on a terminal
            self.bar = tqdm(total=self.total, desc=f"[{section}]", file=self.stream,
                            unit="instance", dynamic_ncols=True)

    def step(self, instance: str):
        """Call before each instance of the current section."""
        self.count += 1
        if self.bar is not None:
            self.bar.update(1 if self.count > 1 else 0)
            self.bar.set_postfix_str(f"{instance}, left ~{_clock(self.left_s())}")
            return
        self._line(f"[{self.section} {self.count}/{self.total}] {instance}")

    def detail(self, text: str):
        """What runs now inside the current instance (printed when due)."""
        if self.bar is not None:
            self.bar.set_postfix_str(f"{text}, left ~{_clock(self.left_s())}")
            return
        self._line(f"[{self.section} {self.count}/{self.total}] {text}")

    def note(self, text: str):
        self._line(f"[{self.section or 'bench'}] {text}", force=True)

    def finish(self):
        self._end_section()
        self._line(f"[bench] done in {_clock(time.perf_counter() - self.start)}", force=True)

    def left_s(self) -> float:
        later = sum(self.pending.values()) * self.speed
        if self.section is None:
            return later
        spent = time.perf_counter() - self.section_start
        done = max(self.count - 1, 0)
        if done:
            here = spent / done * (self.total - done)
        else:
            here = max(self.nominal_here * self.speed - spent, 0.0)
        return here + later

    def _end_section(self):
        if self.bar is not None:
            self.bar.update(self.total - self.bar.n)
            self.bar.close()
            self.bar = None
        if self.section is not None:
            self.done_actual += time.perf_counter() - self.section_start
            self.done_nominal += self.nominal_here
            self.speed = self.done_actual / self.done_nominal if self.done_nominal else 1.0
            self.section = None

    def _line(self, text: str, force: bool = False):
        now = time.perf_counter()
        if not force and not self.tty and now - self.last_print < self.every_s:
            return
        self.last_print = now
        text = (f"{text}  | elapsed {_clock(now - self.start)}, "
                f"left ~{_clock(self.left_s())}")
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        elif self.tty:
            self.stream.write(text + "\n")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


class Silent:
    """The same interface, printing nothing (library callers of the suites)."""

    def begin(self, section, total):
        pass

    def step(self, instance):
        pass

    def detail(self, text):
        pass

    def note(self, text):
        pass

    def finish(self):
        pass
