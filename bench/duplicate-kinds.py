#!/usr/bin/env python3
"""Sorts the rows of `duplicates` into what could be shared and what the language or history imposes.

Reads `duplicates --repo src/main --most 200` from stdin (run from the repository root) and counts each pair once, by
the first rule its first side meets:
  migration     a landed Flyway migration (never edited: ADR 0048)
  page-head     the first lines of a Thymeleaf page (doctype, layout call, title, section): the layout's own contract
  injection     mostly `private final` fields and `this.x = x;` lines: constructor injection of collaborators
  declaration   mostly annotations and parameter lines of endpoint methods (HAPI @Search/@OptionalParam, Spring @*Mapping)
  other         the rest: the places to look at for code that could be shared
Usage: duplicates --repo src/main --seconds 120 --most 200 | bench/duplicate-kinds.py [--list KIND]
"""
import re, sys
from collections import Counter

ROW = re.compile(r'D\d+ (\S+):(\d+)-(\d+) ~ (\S+):(\d+)-(\d+)')
FIELD = re.compile(r'((private|protected) )?(static )?(final )?[\w.<>, ?\[\]]+ \w+;$')
ASSIGN = re.compile(r'this\.\w+ = [\w.()]+;$')
DECL = re.compile(r'@(\w+\.)*(Search|OptionalParam|RequiredParam|IncludeParam|IdParam|ResourceParam|Operation|GetMapping|'
                  r'PostMapping|PutMapping|DeleteMapping|PathVariable|RequestBody|RequestParam|Override|Component|Service)\b|'
                  r'^[\w<>, ?]*\w+ \w+\(.*[,{]$|^(RequestDetails|HttpServletRequest|@IncludeParam)|^\w+ \w+[,)]')


def kind(path, first, last):
    if '/db/migration/' in path:
        return 'migration'
    lines = [l.strip() for l in open('src/main/' + path, encoding='utf-8').read().split('\n')[first - 1:last]]
    code = [l for l in lines if l not in ('', '}', '{', ');') and not l.startswith(('*', '/**', '//'))]
    if path.endswith('.html'):
        return 'page-head' if first <= 2 else 'other'
    injected = sum(1 for l in code if FIELD.match(l) or ASSIGN.match(l))
    if injected >= 2 and injected * 2 >= len(code):
        return 'injection'
    if sum(1 for l in code if DECL.search(l)) * 2 >= len(code):
        return 'declaration'
    return 'other'


def main():
    wanted = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == '--list' else None
    counts, total = Counter(), None
    for line in sys.stdin:
        if total is None and 'pairs of places' in line:
            total = int(line.split()[0])
        m = ROW.match(line)
        if not m:
            continue
        k = kind(m.group(1), int(m.group(2)), int(m.group(3)))
        counts[k] += 1
        if k == wanted:
            print(line.rstrip())
    listed = sum(counts.values())
    print(f'{total} pairs, {listed} listed: ' + ', '.join(f'{k} {n}' for k, n in counts.most_common()))
    if total and total > listed:
        print(f'{total - listed} pairs not listed (--most stops at 200; the tool lists boilerplate last)')


main()
