# Sourced by the scripts: the project's tools first on PATH, and the Debian toolchain when
# setup had to fall back to it.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ -f .tools/toolchain ]; then export RUSTUP_TOOLCHAIN="$(cat .tools/toolchain)"; fi
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
