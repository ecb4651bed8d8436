#!/usr/bin/env python3
"""man-tokens.py — every command and option of an English man page is in
its translation.

    man-tokens.py POT PAGE=TEXT...

POT is the po4a template of the English pages (po/man/balint-man.pot, or a
fresh one made from the pages now); PAGE one of them as the template names
it (docs/balint.1), TEXT that page translated and rendered as plain text
(man -l ... | col -b).  The tokens of PAGE are every option in its
paragraphs (-m, --kind, --tor-control) and every word set in bold in its
tagged paragraphs (the commands, subcommands, setting keys and values,
environment variables, a contract's keys: note, write, from-join,
BALINT_HOME, Retention:).  Each must
stand in TEXT as a word of its own; a token lost in translation, or glued
to a Hebrew prefix (ב--json, where the text should say "the option
--json"), is printed and the exit status is 1.  Used by
tests/integration/i18n.sh.
"""
import re
import sys

OPTION = re.compile(r'(?<![A-Za-z0-9_-])--?[A-Za-z][A-Za-z0-9-]*')
BOLD_WORD = re.compile(r'^(-{1,2}[A-Za-z][A-Za-z0-9-]*|[a-z][a-z0-9_.-]*'
                       r'|[A-Z][A-Z0-9]*_[A-Z0-9_]+)$')
KEY = re.compile(r'^[A-Z][A-Za-z-]*:$')     # a contract's "Retention:"


def unquote(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m.group(1),
                                                               m.group(1)),
                  s[1:-1])


def entries(path):
    """(references, type, msgid) of each entry of a po4a template."""
    refs, kind, msgid, field = [], '', None, None
    out = []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('#: '):
            refs += line[3:].split()
        elif line.startswith('#. type: '):
            kind = line[9:]
        elif line.startswith('msgid '):
            msgid, field = unquote(line[6:]), 'id'
        elif line.startswith('msgstr '):
            field = 'str'
        elif line.startswith('"') and field == 'id':
            msgid += unquote(line)
        elif not line.strip() and msgid is not None:
            out.append((refs, kind, msgid))
            refs, kind, msgid, field = [], '', None, None
    if msgid is not None:
        out.append((refs, kind, msgid))
    return [e for e in out if e[2]]


def tokens(pot, page):
    found = set()
    for refs, kind, msgid in entries(pot):
        if not any(r.split(':')[0] == page for r in refs):
            continue
        plain = re.sub(r'E<gt>', '>', msgid)
        plain = re.sub(r'[BIR]<([^>]*)>', r'\1', plain)
        found.update(OPTION.findall(plain))
        if kind == 'TP':
            for bold in re.findall(r'B<([^>]*)>', msgid):
                for w in re.split(r'[\s|]+', bold):
                    if KEY.match(w):
                        found.add(w)
                    w = w.strip(',;:()[]')
                    if BOLD_WORD.match(w):
                        found.add(w)
    return found


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    pot, missing = sys.argv[1], 0
    for arg in sys.argv[2:]:
        page, text_path = arg.split('=', 1)
        text = open(text_path, encoding='utf-8').read()
        want = tokens(pot, page)
        if not want:
            print('%s: no tokens in %s for %s' % (text_path, pot, page))
            missing += 1
        for tok in sorted(want):
            before = r'(?<![A-Za-z0-9_-])' if tok.startswith('-') \
                else r'(?<![A-Za-z0-9_])'
            if not re.search(before + re.escape(tok) + r'(?![A-Za-z0-9_-])',
                             text):
                print('%s: %s of %s is missing' % (text_path, tok, page))
                missing += 1
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
