#!/usr/bin/env bash
# The shipped .wasm's linker (scripts/build.sh): wasm-ld, without js-sys's JSPI export.
#
# js-sys compiles its futures module whatever its features, and its `#[no_mangle]`
# `__wbg_jspi_task_poll` is exported from every cdylib that links js-sys. That export keeps
# the JSPI task and its waker alive at link time, so the waker's functions are put in the
# function table; wasm-bindgen deletes the export (the package has no JSPI export), but the
# table entries stay and wasm-opt cannot drop them: 459 B of .wasm (168 B gzip) nothing
# calls. Not exported, the linker leaves them out. Every other argument is passed as it is.
set -euo pipefail
args=()
drop=0
for a in "$@"; do
  if [ "$drop" = 1 ]; then
    drop=0
    if [ "$a" = __wbg_jspi_task_poll ]; then
      unset 'args[${#args[@]}-1]'
      continue
    fi
  fi
  [ "$a" = --export ] && drop=1
  [ "$a" = --export=__wbg_jspi_task_poll ] && continue
  args+=("$a")
done
exec /usr/lib/llvm-19/bin/wasm-ld "${args[@]}"
