#!/bin/bash
# Runs a command with every other heavy process (helpers' Python, other Swift builds, fluidsynth) paused,
# including processes that start while it runs; resumes them all afterwards. Processes whose command line
# matches $QUIET_EXEMPT (a regex) are left running (e.g. the benchmark's own children).
PATTERN='python|swift-frontend|swift-build|swift-test|swiftc|fluidsynth|PackageTests|xctest|stable-audio '
STOPPED=/tmp/quiet-stopped.$$
: > $STOPPED
pause_all() {
  for p in $(pgrep -f "$PATTERN"); do
    if [ -n "$QUIET_EXEMPT" ] && tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -qE "$QUIET_EXEMPT"; then continue; fi
    kill -STOP $p 2>/dev/null && echo $p >> $STOPPED
  done
}
( while true; do pause_all; sleep 0.3; done ) &
WATCHER=$!
sleep 1.5
"$@"
rc=$?
kill $WATCHER
sleep 0.1
for p in $(sort -u $STOPPED) $(pgrep -f "$PATTERN"); do kill -CONT $p 2>/dev/null; done
rm -f $STOPPED
exit $rc
