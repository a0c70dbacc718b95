#!/usr/bin/env python3
"""Generates core/data/phone_plans.json from libphonenumber's PhoneNumberMetadata.xml.

Usage: python3 scripts/phone_plans.py PATH/TO/PhoneNumberMetadata.xml > core/data/phone_plans.json

The XML ships in the `phonenumber` crate (assets/PhoneNumberMetadata.xml, version
0.3.10+9.0.33 = libphonenumber 9.0.33) and in google/libphonenumber
(resources/PhoneNumberMetadata.xml). For each of our countries (core/data/countries.json)
the number-type regexes are expanded into plain prefix lists per national number
length: a prefix is listed when *every* number of that length starting with it
matches the pattern. No regex survives into the output. For every other calling
code only the possible national lengths are kept (a plausibility check).

The regexes use a small subset (digits, \\d, [..], (?:..), (..), |, ?, {n}, {n,m});
this file parses exactly that subset and fails loudly on anything else.
"""

import json
import sys
import xml.etree.ElementTree as ET
from functools import lru_cache

SOURCE_VERSION = "libphonenumber 9.0.33 (PhoneNumberMetadata.xml shipped in the phonenumber crate 0.3.10+9.0.33)"
GENERATED = "2026-11-22"
# Types other than mobile that a contact number may be: shown with a `phone.not_mobile`
# warning, as before. `noInternationalDialling` is not a type (numbers not reachable
# from abroad) and is left out.
# Premium-rate numbers are left out too: as a worker's or family's contact they are
# a mistake (or a scam), never a way to reach someone.
OTHER_TYPES = [
    "fixedLine", "tollFree", "sharedCost", "personalNumber",
    "voip", "pager", "uan", "voicemail",
]
# International call prefixes printed and used in a country but missing from the
# metadata's internationalPrefix (checked by hand, see core/data/README.md).
EXTRA_IDD = {"ID": ["001", "007"]}
DIGITS = "0123456789"


# --- a tiny regex -> NFA compiler for libphonenumber's pattern subset ----------------

class Nfa:
    def __init__(self):
        self.eps = []   # state -> list of states
        self.moves = [] # state -> list of (set of digits, state)

    def new(self):
        self.eps.append([])
        self.moves.append([])
        return len(self.eps) - 1


def parse(pattern, nfa):
    """Returns (start, end) states of the NFA fragment for `pattern`."""
    pos = 0

    def peek():
        return pattern[pos] if pos < len(pattern) else None

    def alternation():
        nonlocal pos
        start, end = nfa.new(), nfa.new()
        while True:
            s, e = sequence()
            nfa.eps[start].append(s)
            nfa.eps[e].append(end)
            if peek() == "|":
                pos += 1
                continue
            return start, end

    def sequence():
        start = nfa.new()
        cur = start
        while peek() not in (None, "|", ")"):
            s, e = quantified()
            nfa.eps[cur].append(s)
            cur = e
        return start, cur

    def atom():
        nonlocal pos
        c = peek()
        if c == "(":
            pos += 1
            if pattern.startswith("?:", pos):
                pos += 2
            s, e = alternation()
            assert peek() == ")", pattern
            pos += 1
            return s, e
        if c == "[":
            end = pattern.index("]", pos)
            body = pattern[pos + 1:end]
            pos = end + 1
            chars = set()
            i = 0
            while i < len(body):
                if i + 2 < len(body) and body[i + 1] == "-":
                    chars |= {chr(x) for x in range(ord(body[i]), ord(body[i + 2]) + 1)}
                    i += 3
                else:
                    chars.add(body[i])
                    i += 1
            assert chars <= set(DIGITS), pattern
            return char(chars)
        if c == "\\":
            assert pattern[pos + 1] == "d", pattern
            pos += 2
            return char(set(DIGITS))
        assert c in DIGITS, (pattern, c)
        pos += 1
        return char({c})

    def char(chars):
        s, e = nfa.new(), nfa.new()
        nfa.moves[s].append((frozenset(chars), e))
        return s, e

    def quantified():
        nonlocal pos
        # Remember where the atom starts so it can be re-parsed for each repetition.
        at = pos
        s, e = atom()
        after = pos
        if peek() == "?":
            pos += 1
            nfa.eps[s].append(e)
            return s, e
        if peek() == "{":
            end = pattern.index("}", pos)
            spec = pattern[pos + 1:end]
            lo, _, hi = spec.partition(",")
            lo = int(lo)
            hi = int(hi) if hi else lo
            pos = end + 1
            # Build lo mandatory copies and hi-lo optional ones, re-parsing the atom.
            start = nfa.new()
            cur = start
            copies = [(s, e)]
            for _ in range(hi - 1):
                pos, saved = at, pos
                copies.append(atom())
                pos = saved
            for i, (cs, ce) in enumerate(copies):
                nfa.eps[cur].append(cs)
                if i >= lo:
                    nfa.eps[cur].append(ce)  # skip this optional copy
                cur = ce
            if lo == 0 and hi == 0:
                return start, start
            return start, cur
        assert peek() not in ("*", "+"), pattern
        _ = after
        return s, e

    start, end = alternation()
    assert pos == len(pattern), pattern
    return start, end


class Matcher:
    def __init__(self, pattern):
        self.nfa = Nfa()
        self.start, self.end = parse("".join(pattern.split()), self.nfa)
        self.initial = self.closure({self.start})

    def closure(self, states):
        stack, seen = list(states), set(states)
        while stack:
            s = stack.pop()
            for t in self.nfa.eps[s]:
                if t not in seen:
                    seen.add(t)
                    stack.append(t)
        return frozenset(seen)

    def step(self, states, digit):
        nxt = {t for s in states for (chars, t) in self.nfa.moves[s] if digit in chars}
        return self.closure(nxt)

    @lru_cache(maxsize=None)
    def status(self, states, remaining):
        """'all' if every digit string of this length is accepted from `states`, 'none' if none is."""
        if remaining == 0:
            return "all" if self.end in states else "none"
        if not states:
            return "none"
        seen = {self.status(self.step(states, d), remaining - 1) for d in DIGITS}
        return seen.pop() if len(seen) == 1 else "mixed"


def lengths_of(desc):
    """Possible national lengths of a type: "[5-15]", "6,[8-10]" → set of ints."""
    pl = desc.find("possibleLengths")
    out = set()
    for part in pl.get("national").split(","):
        if part.startswith("["):
            lo, hi = part[1:-1].split("-")
            out |= set(range(int(lo), int(hi) + 1))
        else:
            out.add(int(part))
    return out


def prefixes(pattern, lengths, max_len, trunk):
    """Minimal prefixes (prefix → set of lengths) covering exactly the numbers matching `pattern`.

    Lengths that would make the E.164 form longer than 15 digits (`max_len`) and
    numbers starting with the trunk prefix (domestic-only service numbers such as
    Indonesia's 001803…) are dropped: neither can be written after a `+`."""
    lengths = {n for n in lengths if n <= max_len}
    m = Matcher(pattern)
    out = {}

    def walk(prefix, states):
        statuses = {n: m.status(states, n - len(prefix)) for n in lengths if n >= len(prefix)}
        if "mixed" in statuses.values():
            for d in DIGITS:
                walk(prefix + d, m.step(states, d))
            return
        full = {n for n, s in statuses.items() if s == "all"}
        if full and not (trunk and prefix.startswith(trunk)):
            out[prefix] = full
    walk("", m.initial)
    return out


def spans(lengths):
    """{9,10,11,12} → "9-12", {6,8,9,10} → "6,8-10"."""
    xs = sorted(lengths)
    parts, i = [], 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[j + 1] == xs[j] + 1:
            j += 1
        parts.append(str(xs[i]) if i == j else f"{xs[i]}-{xs[j]}")
        i = j + 1
    return ",".join(parts)


def grouped(rules):
    """prefix → lengths into lengths-string → "p1 p2 …", for a compact, reviewable file."""
    by_len = {}
    for prefix, lens in sorted(rules.items()):
        by_len.setdefault(spans(lens), []).append(prefix)
    return {k: " ".join(v) for k, v in sorted(by_len.items(), key=lambda kv: kv[1][0])}


def finite_strings(pattern):
    """All strings of a finite international-prefix regex (e.g. 0(?:0[25-79]|19))."""
    m = Matcher(pattern)
    out = []

    def walk(prefix, states, depth):
        if m.end in states:
            out.append(prefix)
        if depth < 6:
            for d in DIGITS:
                nxt = m.step(states, d)
                if nxt:
                    walk(prefix + d, nxt, depth + 1)
    walk("", m.initial, 0)
    return out


def main(xml_path):
    with open("core/data/countries.json", encoding="utf-8") as f:
        ours = [c["code"] for c in json.load(f)]
    root = ET.parse(xml_path).getroot()
    plans, other_codes = [], {}
    for terr in root.iter("territory"):
        code = terr.get("countryCode")
        types = {child.tag: child for child in terr if child.find("nationalNumberPattern") is not None}
        if terr.get("id") not in ours:
            lens = set()
            for tag, desc in types.items():
                if tag not in ("generalDesc", "noInternationalDialling") and desc.find("possibleLengths") is not None:
                    lens |= lengths_of(desc)
            if lens:
                other_codes.setdefault(code, set()).update(lens)
            continue
        trunk = terr.get("nationalPrefix", "")
        max_len = 15 - len(code)

        def rules(tag):
            desc = types[tag]
            return prefixes(desc.find("nationalNumberPattern").text, lengths_of(desc), max_len, trunk)
        mobile = rules("mobile")
        other = {}
        for tag in OTHER_TYPES:
            if tag in types:
                for p, lens in rules(tag).items():
                    other.setdefault(p, set()).update(lens)
        all_lengths = set().union(*mobile.values(), *other.values())
        idd = [s for s in finite_strings(terr.get("internationalPrefix")) if s != "00"]
        idd = sorted(set(idd) | set(EXTRA_IDD.get(terr.get("id"), [])))
        plan = {
            "country": terr.get("id"),
            "calling_code": code,
            "trunk_prefix": trunk,
            "idd": " ".join(idd),
            "lengths": spans(all_lengths),
            "mobile": grouped(mobile),
            "other": grouped(other),
        }
        plans.append(plan)
    plans.sort(key=lambda p: ours.index(p["country"]))
    assert [p["country"] for p in plans] == ours, "a country of countries.json has no metadata"
    for p in plans:
        other_codes.pop(p["calling_code"], None)
    doc = {
        "source": SOURCE_VERSION,
        "generated": GENERATED,
        "generator": "scripts/phone_plans.py",
        "notes": [
            "Numbers are national significant numbers (NSN): no calling code, no trunk prefix.",
            "mobile/other map a length spec ('9-12', '6,8-10') to space-separated leading digits:",
            "a number is valid when one listed prefix starts it and its length is in that spec;",
            "a number matching both lists is mobile. Premium-rate numbers are in neither list.",
            "other = fixed lines and the other non-mobile types (toll-free, VoIP, UAN, pager...).",
            "idd = international call prefixes besides 00 used in that country (e.g. 002 in TW).",
            "other_calling_codes = every other ITU calling code with its possible NSN lengths.",
        ],
        "plans": plans,
        "other_calling_codes": {k: spans(v) for k, v in sorted(other_codes.items(), key=lambda kv: int(kv[0]))},
    }
    out = json.dumps(doc, indent=1, ensure_ascii=False)
    sys.stdout.write(out + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
