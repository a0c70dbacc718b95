#!/usr/bin/env bash
# The SMTP server of the link tests (tests/tests/link_e2e.rs): Python's aiosmtpd, in
# a venv of its own (made once, kept in ~/.cache), listening on a free loopback port
# and writing every message it receives to a Maildir the tests read the codes from.
#
#   scripts/smtp.sh --install-only   only make the venv (the gate runs this early,
#                                    in the background)
#   scripts/smtp.sh start DIR        start it; prints HOST:PORT; the Maildir is
#                                    DIR/maildir, its pid DIR/pid, its log DIR/log
#   scripts/smtp.sh stop DIR         stop the one started in DIR (by its pid)
#
# The tests get HOST:PORT in RANTAU_TEST_SMTP and DIR/maildir in
# RANTAU_TEST_SMTP_MAILDIR.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.4.6
VENV=${SMTP_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/rantau/aiosmtpd-$VERSION}

die() { echo "smtp.sh: $*" >&2; exit 1; }

install() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$VERSION')" 2>/dev/null; then
    return 0
  fi
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  if ! nice -n 19 python3 -m venv "$VENV" 2>/dev/null; then
    # Debian splits venv (ensurepip) out of python3; root installs it like the gate's JDK.
    [ "$(id -u)" -eq 0 ] || die "python3 -m venv failed: install python3-venv"
    rm -rf "$VENV"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    nice -n 19 python3 -m venv "$VENV"
  fi
  nice -n 19 "$VENV/bin/pip" install -q --disable-pip-version-check "aiosmtpd==$VERSION"
}

case "${1:-}" in
  --install-only)
    install
    ;;
  start)
    [ $# -eq 2 ] || die "usage: $0 start DIR"
    dir=$2
    install
    # aiosmtpd makes the Maildir (cur, new, tmp) only when the folder is missing.
    mkdir -p "$dir"; rm -rf "$dir/maildir"
    # A free port: the kernel picks one, then aiosmtpd takes it.
    port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$port" \
      -c aiosmtpd.handlers.Mailbox "$dir/maildir" >"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 100); do
      if "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null; then
        echo "127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    cat "$dir/log" >&2
    die "aiosmtpd did not start"
    ;;
  stop)
    [ $# -eq 2 ] || die "usage: $0 stop DIR"
    if [ -f "$2/pid" ]; then kill "$(cat "$2/pid")" 2>/dev/null || true; rm -f "$2/pid"; fi
    ;;
  *)
    die "usage: $0 --install-only|start DIR|stop DIR"
    ;;
esac
