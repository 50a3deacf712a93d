#!/usr/bin/env bash
# Installs the peer tools bench/objects.py compares gen with, if they are missing:
#   rclone  (Debian package, apt-get)
#   aws     (the AWS CLI; pip `awscli` if there is no `aws` on PATH)
# boto3 and moto[server] come with the AWS CLI / scripts/local-cloud; boto3 is installed here if missing.
# Safe to re-run: nothing is reinstalled that is already there.
set -euo pipefail

if ! command -v rclone >/dev/null 2>&1; then
  echo "rclone not found: apt-get install -y rclone" >&2
  if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq rclone >&2
fi

if ! command -v aws >/dev/null 2>&1; then
  echo "aws not found: pip install awscli" >&2
  python3 -m pip install --quiet awscli >&2 ||
    python3 -m pip install --quiet --break-system-packages awscli >&2
fi

if ! python3 -c 'import boto3' >/dev/null 2>&1; then
  echo "boto3 not found: pip install boto3" >&2
  python3 -m pip install --quiet boto3 >&2 ||
    python3 -m pip install --quiet --break-system-packages boto3 >&2
fi

for tool in rclone aws; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is still missing after installing it (is it on PATH?)" >&2
    exit 1
  fi
done
echo "rclone: $(rclone version 2>/dev/null | head -n 1)"
echo "aws:    $(aws --version 2>&1)"
