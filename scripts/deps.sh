#!/bin/sh
# Install the Debian packages synapt needs, only those missing.
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev libzstd-dev libxxhash-dev libcjson-dev \
libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libhdf5-dev libpng-dev \
libmatio-dev libjxl-dev ffmpeg python3 python3-numpy python3-h5py python3-torch python3-av parallel time chromium \
slurmctld slurmd slurm-client munge"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi
echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
