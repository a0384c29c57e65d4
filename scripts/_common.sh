# Shared by scripts/serve and scripts/test (sourced, not run): Python 3.11 and the virtual environment.
# Expects ROOT to be the project folder.

VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_python311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; }

# Prints the command of a Python 3.11: python3.11, or python3 if that is 3.11.
find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && is_python311 "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    local found
    found="$(python3 --version 2>&1 || true)"
    die "aftersales needs Python 3.11 (Django 5.2 LTS), as python3.11 or as python3; found: ${found:-no python3}. Install Python 3.11 and run again."
}

# Creates .venv with Python 3.11 if it is missing; refuses one of another Python version.
ensure_venv() {
    if [[ -x "$PY" ]]; then
        is_python311 "$PY" || die "$VENV is not Python 3.11 ($("$PY" --version 2>&1)); remove it (rm -rf .venv) and run again."
        return 0
    fi
    local python
    python="$(find_python)" || exit 1
    say "Creating the virtual environment .venv ($("$python" --version 2>&1))"
    "$python" -m venv "$VENV"
}

# install_requirements FILE [FILE_IT_INCLUDES ...]: pip install -r FILE, but only when the files
# changed since the last install into this .venv (a stamp file in .venv keeps their checksum).
install_requirements() {
    local main="$1" stamp checksum
    stamp="$VENV/.installed-$(basename "$main").sha256"
    checksum="$(cd "$ROOT" && cat "$@" | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$checksum" ]]; then
        return 0
    fi
    say "Installing the pinned dependencies of $main"
    "$PY" -m pip install --disable-pip-version-check --quiet -r "$ROOT/$main"
    printf '%s\n' "$checksum" >"$stamp"
}
