#!/usr/bin/env python3
"""pty-answer.py — run a command on a pseudo-terminal and answer its prompts.

    pty-answer.py [--send PROMPT LINE]... --until TEXT [--term]
                  [--secret WORD]... -- COMMAND ARGS...

Waits (60 s at most) for each PROMPT in the output and types LINE; then
waits for TEXT.  --term ends the command with SIGTERM once TEXT came; a
command still running 30 s later (or stuck before a prompt) is killed and
the run fails with what it wrote, rather than stalling the tests.
Exits 1 when something does not come, when a --secret WORD shows in the
output (the terminal echoed it), or when the command exits non-zero
without --term.  Used by tests/integration/passphrase.sh.
"""
import os
import pty
import select
import signal
import sys
import time

args = sys.argv[1:]
sends, secrets, until, term = [], [], None, False
while args and args[0] != "--":
    opt = args.pop(0)
    if opt == "--send":
        sends.append((args.pop(0).encode(), args.pop(0).encode()))
    elif opt == "--until":
        until = args.pop(0).encode()
    elif opt == "--secret":
        secrets.append(args.pop(0).encode())
    elif opt == "--term":
        term = True
    else:
        sys.exit("pty-answer.py: unknown option %s" % opt)
if not args or until is None:
    sys.exit(__doc__)
cmd = args[1:]

pid, fd = pty.fork()
if pid == 0:
    os.execv(cmd[0], cmd)
out = b""


def end(why):
    """Kill the command (it may be stuck) and fail, saying what it wrote."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        if reap(5) is not None:
            break
    sys.exit("%s: %r" % (why, out))


def reap(seconds):
    """The command's exit status, or None if it is still running after
    seconds: never wait without a bound, a stuck command must not stall
    the test run."""
    deadline = time.time() + seconds
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return status
        if time.time() > deadline:
            return None
        time.sleep(0.05)


def wait_for(want):
    global out
    deadline = time.time() + 60
    while want not in out:
        left = deadline - time.time()
        if left <= 0:
            end("no %r after 60 s" % want)
        # select first: a read on a quiet terminal would block for ever
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        try:
            out += os.read(fd, 1024)
        except OSError:
            reap(5)
            sys.exit("ended before %r: %r" % (want, out))


for prompt, line in sends:
    wait_for(prompt)
    os.write(fd, line + b"\n")
wait_for(until)
if term:
    os.kill(pid, signal.SIGTERM)
status = reap(30)
if status is None:
    end("still running 30 s after %s" %
        ("SIGTERM" if term else "%r came" % until))
for word in secrets:
    if word in out:
        sys.exit("echoed on the terminal: %r" % out)
if not term and (not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0):
    sys.exit("exit status %d: %r" % (status, out))
