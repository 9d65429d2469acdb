# Shared by the shell suites under tests/ (sourced, not run): pass/fail counting with the
# `N passed, N failed` line CI reads, and a throw-away wine prefix that runs Rust programs.
# shellcheck shell=bash

passed=0
failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }
skip() { echo "skipped: $*"; }

# summary NAME: the total time since the suite started ($t0), the counts, and the exit status.
summary() {
  echo "$1 total: $((SECONDS - t0)) s"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# wine_prefix DIR: a new wine prefix in DIR, exported as WINEPREFIX, quiet, without Mono or Gecko.
# Wine 8.0 lacks bcryptprimitives.dll (ProcessPrng), which Rust's std imports since 1.78 and
# every Windows since 8 has; a shim forwarding to BCryptGenRandom goes into this prefix only.
wine_prefix() {
  export WINEPREFIX="$1" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  wineboot -i >/dev/null 2>&1
  wineserver -w
  local src
  src=$(mktemp --suffix=.c)
  printf '%s\n' '#include <windows.h>' '#include <bcrypt.h>' \
    '__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE d, SIZE_T n) {' \
    '  return BCryptGenRandom(NULL, d, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0; }' >"$src"
  x86_64-w64-mingw32-gcc -O2 -shared -s -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    "$src" -lbcrypt
  rm -f "$src"
}

# wine_run ARGS...: runs `wine ARGS` for at most 60 s and prints its output without CRs. The
# output goes through a file, never a pipe: a wine command that finds no wineserver starts one
# (and services.exe, conhost, a service's process...) holding its stdout and stderr, so a pipe
# would stay open, and the reader wait, for as long as the wine session lives.
wine_run() {
  local out status=0
  out=$(mktemp)
  timeout 60 wine "$@" >"$out" 2>&1 </dev/null || status=$?
  tr -d '\r' <"$out"
  rm -f "$out"
  return "$status"
}

# round_trip WHERE MIN_ADDS NAME: a full import (at least MIN_ADDS adds), the export of one staged
# add (a user NAME) and a delta import, through the caller's `cli` function with its `params`;
# WHERE ends each check's name ("from the bundle", "through ecma2-host.exe"). Uses $work.
round_trip() {
  local where=$1 min=$2 name=$3 out
  field() { grep -o "\"$1\":[0-9]*" <<<"$2" | head -1 | cut -d: -f2; }
  if out=$(cli --json import --connector demo "${params[@]}" 2>&1) && [ "$(field adds "$out")" -ge "$min" ] &&
    [ "$(field errors "$out")" = 0 ]; then
    ok "full import $where ($(field adds "$out") objects)"
  else
    echo "$out"; fail "full import"
  fi
  printf '{"op":"add","type":"user","dn":"CN=%s,OU=People,DC=demo,DC=example","attrs":{"cn":"%s","displayName":"%s User","mail":"%s@example.com"}}\n' \
    "$name" "$name" "$name" "$name" >"$work/changes.jsonl"
  if cli stage --connector demo --changes "$work/changes.jsonl" >/dev/null &&
    out=$(cli --json export --connector demo "${params[@]}" 2>&1) && [ "$(field adds "$out")" = 1 ] &&
    [ "$(field errors "$out")" = 0 ]; then
    ok "export $where (one add)"
  else
    echo "$out"; fail "export"
  fi
  if out=$(cli --json import --connector demo --delta "${params[@]}" 2>&1) && [ "$(field errors "$out")" = 0 ] &&
    grep -q '"profile":"delta' <<<"$out"; then
    ok "delta import $where"
  else
    echo "$out"; fail "delta import"
  fi
}
