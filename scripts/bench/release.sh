# Sourced by the bench scripts (ROOT set): BIN is the release build of switchboard and
# switchboard-load, built into .build-release when missing, and the open-file limit is raised
# to $1 (default 20000) for many sockets.
BIN="$ROOT/.build-release/release"
if [[ ! -x "$BIN/switchboard-load" || ! -x "$BIN/switchboard" ]]; then
  (cd "$ROOT" && swift build -c release --scratch-path .build-release --product switchboard \
     && swift build -c release --scratch-path .build-release --product switchboard-load) >&2
fi
ulimit -n "${1:-20000}" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
