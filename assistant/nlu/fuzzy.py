"""Typo tolerance for names: one dropped, added or swapped letter ('Toyta', 'Hyundia'), never a substitution,
because a substitution turns everyday words into makes ('quick' -> 'Buick')."""

from __future__ import annotations


def one_edit_apart(word: str, name: str) -> bool:
    """Whether `word` is `name` with exactly one letter dropped, added, or two neighbours swapped."""
    if word == name or abs(len(word) - len(name)) > 1 or min(len(word), len(name)) < 4:
        return False
    if len(word) == len(name):
        diffs = [i for i, (a, b) in enumerate(zip(word, name, strict=True)) if a != b]
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and word[diffs[0]] == name[diffs[1]]
            and (word[diffs[1]] == name[diffs[0]])
        )
    short, long = (word, name) if len(word) < len(name) else (name, word)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
