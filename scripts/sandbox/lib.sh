# shellcheck shell=bash
# SANDBOX-ONLY helpers the scripts beside this one share. Sourced, not run.

# apt_install_missing "command-or-path:package" ...: install the packages whose command (or
# file path) is missing; `apt-get update` first, as this machine needs.
apt_install_missing() {
  local pair missing=()
  for pair in "$@"; do
    local probe=${pair%%:*} package=${pair#*:}
    if [[ $probe == /* ]]; then [ -e "$probe" ] || missing+=("$package"); continue; fi
    command -v "$probe" >/dev/null || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# wait_for seconds description command...: poll every half second until the command succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "$what did not come up within ${seconds}s: see the logs in $STATE"
  return 1
}

# registry_has registry repository reference: the registry holds that image (index or manifest).
registry_has() {
  curl -fs -o /dev/null "http://$1/v2/$2/manifests/$3" \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json'
}
