# shellcheck shell=bash
# Shared by scripts/demo and scripts/test (sourced, not run): find Python ≥ 3.11, create .venv
# when it is missing, and pip-install the package only when pyproject.toml changed since the
# last install (a stamp file in .venv records it).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${NIANBAO_VENV:-$ROOT/.venv}"
MIN_PY="3.11"

step() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The first interpreter that is Python >= 3.11 ($PYTHON wins when set).
find_python() {
    local cand
    for cand in ${PYTHON:-} python3 python3.13 python3.12 python3.11 python; do
        if command -v "$cand" >/dev/null 2>&1 &&
            "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
            echo "$cand"
            return 0
        fi
    done
    return 1
}

_venv_ok() {
    [[ -x "$VENV/bin/python" ]] &&
        "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

_make_venv() {
    local py
    py="$(find_python)" || die "Python >= $MIN_PY not found. Install it with your package manager (Debian/Ubuntu: sudo apt-get install python3 python3-venv; Fedora: sudo dnf install python3; macOS: brew install python) or set PYTHON=/path/to/python3."
    if [[ -e "$VENV" ]]; then  # a broken or too old venv: replace it, but never a non-venv directory
        [[ -f "$VENV/pyvenv.cfg" || -z "$(ls -A "$VENV")" ]] || die "$VENV exists and is not a virtualenv"
        rm -rf "$VENV"
    fi
    step "creating $VENV with $("$py" --version 2>&1)"
    if ! "$py" -m venv "$VENV"; then
        rm -rf "$VENV"
        die "'$py -m venv' failed. On Debian/Ubuntu install the venv module: sudo apt-get install python3-venv"
    fi
}

# _fresh NAME: the install stamp NAME exists and is newer than pyproject.toml.
_fresh() {
    local stamp="$VENV/.nianbao-installed-$1"
    [[ -f "$stamp" && ! "$ROOT/pyproject.toml" -nt "$stamp" ]]
}

# ensure_venv base|test — .venv exists and holds `pip install -e .` (base) or `-e '.[test,ocr,parquet]'` (test).
ensure_venv() {
    local what="$1" spec tools tool ok
    case "$what" in
        base) spec="$ROOT" tools="nianbao" ;;
        test) spec="$ROOT[test,ocr,parquet,pdf]" tools="nianbao ruff mypy pytest" ;;
        *) die "ensure_venv: unknown extra '$what'" ;;
    esac
    _venv_ok || _make_venv
    if _fresh "$what" || { [[ "$what" == base ]] && _fresh test; }; then
        ok=1
        for tool in $tools; do [[ -x "$VENV/bin/$tool" ]] || ok=0; done
        ((ok)) && return 0
    fi
    step "installing nianbao into $VENV: pip install -e '.${spec#"$ROOT"}'"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
    touch "$VENV/.nianbao-installed-$what"
}

# The bundled example reports (examples/README.md is documentation, not a report).
example_files() {
    local f
    shopt -s nullglob
    for f in "$ROOT"/examples/*.txt "$ROOT"/examples/*.md; do
        [[ "$(basename "$f")" == README.md ]] && continue
        printf '%s\n' "${f#"$ROOT"/}"
    done
    shopt -u nullglob
}
