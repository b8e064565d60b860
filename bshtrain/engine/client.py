"""The simulated client's answer to a proposed plan (design 5.4).

A teaching simulation with authored rules: the ratings start where the case's options file
says and move by each chosen option's authored effect. They are computed, never typed by the
trainee, and the scorer recomputes them from the saved choices rather than trusting a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bshtrain.engine.options import CaseOptions

GOOD_RATING = 7  # a course convention for "willing and able" (practice advice, F6.6)


@dataclass(frozen=True)
class ClientAnswer:
    """What the client says and how willing and confident they are (0-10)."""

    willingness: int
    confidence: int
    replies: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return min(self.willingness, self.confidence) >= GOOD_RATING


def _clamp(value: int) -> int:
    return max(0, min(10, value))


def client_answer(options: CaseOptions, chosen: Iterable[str], max_replies: int = 3) -> ClientAnswer:
    """The client's ratings and replies for the chosen option ids (unknown ids are ignored)."""
    found = [o for o in (options.option(i) for i in dict.fromkeys(chosen)) if o is not None]
    willingness = options.client.willingness + sum(o.effect.willingness for o in found)
    confidence = options.client.confidence + sum(o.effect.confidence for o in found)
    # the replies that matter most to the client first: the biggest effect, worst first
    def weight(option) -> int:
        return option.effect.willingness + option.effect.confidence

    spoken = sorted((o for o in found if o.reply), key=lambda o: (weight(o) >= 0, -abs(weight(o))))
    return ClientAnswer(_clamp(willingness), _clamp(confidence),
                        tuple(o.reply for o in spoken[:max_replies]))
