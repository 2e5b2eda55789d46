#!/bin/bash
# Runs a command (exec'd, so the pid is the program's), stdout to $OUT; samples RssAnon and RssFile every 20 ms.
start=$(date +%s.%N)
"$@" > ${OUT:-/dev/null} 2>/dev/null &
pid=$!
anon=0; file=0
while kill -0 $pid 2>/dev/null; do
  a=$(awk '/RssAnon/{print $2}' /proc/$pid/status 2>/dev/null); f=$(awk '/RssFile/{print $2}' /proc/$pid/status 2>/dev/null)
  [ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a; [ -n "$f" ] && [ "$f" -gt "$file" ] && file=$f
  sleep 0.02
done
wait $pid
end=$(date +%s.%N)
echo "wall $(echo "$end - $start" | bc) s, peak RssAnon $((anon/1024)) MiB, peak RssFile $((file/1024)) MiB" >&2
