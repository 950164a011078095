"""
Breaks the lines over 120 characters that Biome leaves (it cannot split strings or comments) in TS/JS files:
comments are rewrapped, long string and template literals split into `"…" +` pieces (same runtime value).
Lines inside multi-line template literals are data and are left alone, as are lines it cannot split safely;
scripts/checkLineWidth.mjs lists what is left. Afterwards run `npx biome format --write` on the same files.

Usage: python3 scripts/wrapLongLines.py [--wat] $(node scripts/checkLineWidth.mjs | cut -d: -f1 | sort -u)
(--wat for scripts/gemm, whose templates hold WebAssembly text.)
"""
import re
import sys
import textwrap

MAX = 120
WAT = False


def wrap_text(text, avail):
    """Greedy wrap, then the narrowest width with as many lines (no orphan word on the last line)."""
    opts = dict(break_long_words=False, break_on_hyphens=False)
    lines = textwrap.wrap(text, width=avail, **opts) or [text]
    w = avail
    while w > 40 and len(textwrap.wrap(text, width=w - 1, **opts)) == len(lines):
        w -= 1
    return textwrap.wrap(text, width=w, **opts) or [text]


def line_states(text):
    """For each line: (starts inside a template literal, ends inside one, starts inside a block comment)."""
    out = []
    stack = ["code"]  # "code" frames carry a brace depth in braces[]
    braces = [0]
    i, n = 0, len(text)
    line_start_tmpl = False
    line_start_block = False
    mode = None  # None (code), "block", "line", "'", '"'
    while i < n:
        c = text[i]
        if c == "\n":
            out.append((line_start_tmpl, stack[-1] == "tmpl", line_start_block))
            if mode == "line":
                mode = None
            line_start_tmpl = stack[-1] == "tmpl"
            line_start_block = mode == "block"
            i += 1
            continue
        if mode == "block":
            if text.startswith("*/", i):
                mode = None
                i += 2
                continue
            i += 1
            continue
        if mode == "line":
            i += 1
            continue
        if mode in ("'", '"'):
            if c == "\\":
                i += 2
                continue
            if c == mode:
                mode = None
            i += 1
            continue
        if stack[-1] == "tmpl":
            if c == "\\":
                i += 2
                continue
            if c == "`":
                stack.pop()
                braces.pop()
            elif text.startswith("${", i):
                stack.append("code")
                braces.append(0)
                i += 2
                continue
            i += 1
            continue
        # code
        if text.startswith("//", i):
            mode = "line"
        elif text.startswith("/*", i):
            mode = "block"
            i += 2
            continue
        elif c in "'\"":
            mode = c
        elif c == "`":
            stack.append("tmpl")
            braces.append(0)
        elif c == "{":
            braces[-1] += 1
        elif c == "}":
            if braces[-1] == 0 and len(stack) > 1:
                stack.pop()
                braces.pop()
            else:
                braces[-1] -= 1
        i += 1
    out.append((line_start_tmpl, stack[-1] == "tmpl", line_start_block))
    return out


def tokens(line):
    """Spans (start, end, quote) of string literals in a line, and the index of a // comment outside strings."""
    spans = []
    i = 0
    n = len(line)
    comment = None
    while i < n:
        c = line[i]
        if c == "/" and i + 1 < n and line[i + 1] == "/":
            comment = i
            break
        if c == "/" and i + 1 < n and line[i + 1] == "*":
            j = line.find("*/", i + 2)
            if j < 0:
                return spans, None, False
            i = j + 2
            continue
        if c in "\"'`":
            q = c
            j = i + 1
            depth = 0
            while j < n:
                d = line[j]
                if d == "\\":
                    j += 2
                    continue
                if q == "`" and d == "$" and j + 1 < n and line[j + 1] == "{":
                    depth += 1
                    j += 2
                    continue
                if q == "`" and depth and d == "}":
                    depth -= 1
                    j += 1
                    continue
                if d == q and depth == 0:
                    break
                j += 1
            if j >= n:
                return spans, None, False  # unterminated (multi-line template)
            spans.append((i, j + 1, q))
            i = j + 1
            continue
        if c == "/" and re.search(r"[=(,:!&|?;{}\[]\s*$", line[:i]):
            return spans, None, False  # a regex literal: leave the line alone
        i += 1
    return spans, comment, True


def split_points(lit, q):
    """Indices inside a literal (after a space) where it may be split; outside ${...} for templates."""
    pts = []
    depth = 0
    k = 1
    while k < len(lit) - 1:
        d = lit[k]
        if d == "\\":
            k += 2
            continue
        if q == "`" and d == "$" and lit[k + 1 : k + 2] == "{":
            if depth == 0 and k > 1:
                pts.append(k)  # before a top-level ${...}
            depth += 1
            k += 2
            continue
        if q == "`" and depth and d == "}":
            depth -= 1
        elif d == " " and depth == 0 and 1 < k < len(lit) - 2:
            pts.append(k + 1)
        k += 1
    return pts


def split_string_line(line):
    spans, comment, ok = tokens(line)
    if not ok or comment is not None:
        return None
    indent = re.match(r"\s*", line).group(0)
    # the literal that crosses column MAX, else the longest
    crossing = [s for s in spans if s[0] < MAX <= s[1] or s[1] > MAX]
    if not crossing:
        # the line ends after its strings: split the longest one
        crossing = sorted((s for s in spans if s[1] - s[0] > 30), key=lambda s: s[0] - s[1])
    if not crossing:
        return None
    a, b, q = crossing[0]
    lit = line[a:b]
    limit = MAX - 3 - a  # room for `q +` after the first piece
    pts = [p for p in split_points(lit, q) if p <= limit]
    if not pts:
        pts = [p for p in split_points(lit, q) if p > 20]
        if not pts:
            return None
        pts = pts[:1]
    p = pts[-1]
    first = line[:a] + lit[:p] + q + " +"
    second = indent + "  " + q + lit[p:] + line[b:]
    return [first, second]


def split_wat_line(line):
    """A line of WebAssembly text inside a template: break before a "(" (outside ${...}), indented 2 more."""
    indent = re.match(r"\s*", line).group(0)
    depth = 0
    best = None
    for k in range(len(indent) + 1, min(len(line), MAX)):
        if line.startswith("${", k):
            depth += 1
        elif depth and line[k] == "}":
            depth -= 1
        elif depth == 0 and line[k] == "(" and line[k - 1] == " ":
            best = k
    if best is None:
        return None
    return [line[: best - 1], indent + "  " + line[best:]]


def process(path):
    text = open(path, encoding="utf8").read()
    lines = text.split("\n")
    states = line_states(text)
    out = []
    changed = False
    for line, (starts_tmpl, ends_tmpl, in_block) in zip(lines, states):
        if starts_tmpl or ends_tmpl:
            # Inside a multi-line template literal its text is data: only WebAssembly text may be re-broken.
            todo = [line]
            while todo:
                cur = todo.pop(0)
                parts = WAT and starts_tmpl and ends_tmpl and len(cur) > MAX and split_wat_line(cur)
                if parts:
                    changed = True
                    todo = parts + todo
                else:
                    out.append(cur)
            continue
        todo = [line]
        while todo:
            cur = todo.pop(0)
            stripped = cur.strip()
            if len(cur) <= MAX:
                out.append(cur)
                continue
            m = re.match(r"^(\s*)(//+ ?)(.*)$", cur)
            if m:
                ind, pre, text = m.groups()
                out += [ind + pre + t for t in wrap_text(text, MAX - len(ind) - len(pre))]
                changed = True
                continue
            m = re.match(r"^(\s*)/\*\* (.*) \*/$", cur)
            if m:
                ind, text = m.groups()
                out.append(ind + "/**")
                out += [ind + " * " + t for t in wrap_text(text, MAX - len(ind) - 3)]
                out.append(ind + " */")
                changed = True
                continue
            m = re.match(r"^(\s*)(\* )(.*)$", cur)
            if m and (in_block or stripped.startswith("* ")):
                ind, pre, text = m.groups()
                out += [ind + pre + t for t in wrap_text(text, MAX - len(ind) - len(pre))]
                changed = True
                continue
            spans, comment, ok = tokens(cur)
            if ok and comment is not None and comment > 0:
                code = cur[:comment].rstrip()
                text = cur[comment:].lstrip("/").strip()
                ind = re.match(r"\s*", cur).group(0)
                out += [ind + "// " + t for t in wrap_text(text, MAX - len(ind) - 3)]
                todo.insert(0, code)
                changed = True
                continue
            parts = split_string_line(cur)
            if parts and parts[0] != cur:
                changed = True
                todo = parts + todo
                continue
            out.append(cur)
    if changed:
        open(path, "w", encoding="utf8").write("\n".join(out))
    return changed


if __name__ == "__main__":
    # --wat: also break WebAssembly text lines inside templates (whitespace between its s-expressions is free)
    WAT = "--wat" in sys.argv
    for p in [a for a in sys.argv[1:] if a != "--wat"]:
        if p.endswith((".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs")) and process(p):
            print(p)
