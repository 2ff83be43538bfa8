#!/usr/bin/env bash
# scripts/manpage.sh KWIRE — write kwire(1) in roff on stdout, generated from the
# program's own help: `KWIRE --help` (synopsis, global options, the command list) and
# `KWIRE COMMAND --help` for every command that list names, so the page always says
# what the installed binary does. `make` writes build/kwire.1 with it.
set -eu
kwire=$1
help=$("$kwire" --help 2>&1)
version=$("$kwire" --version 2>&1 | awk '{print $2}')
# roff: a backslash is \e, a line starting with . or ' needs \& in front
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }
cat <<EOT
.TH KWIRE 1 "" "kwire $version" "User Commands"
.SH NAME
kwire \- Kafka wire-protocol client toolkit: produce, consume, inspect, decode and benchmark
.SH SYNOPSIS
.B kwire
[\fIGLOBAL OPTIONS\fR] \fICOMMAND\fR [\fIARGS\fR]
.SH DESCRIPTION
kwire speaks the Kafka protocol itself, so every byte it sends and receives can be shown
field by field (\fB\-\-dump\fR). Settings use Kafka's names and defaults (\fB\-X\fR name=value).
Without \fB\-b\fR and \fB\$KWIRE_BOOTSTRAP\fR, a command that needs a cluster starts the embedded
broker (\fBkwire\-broker\fR, installed beside kwire) for its own lifetime.
Exit status: 0 success, 1 the operation failed, 2 usage or settings error.
.PP
.nf
EOT
printf '%s\n' "$help" | esc
echo ".fi"
echo ".SH COMMANDS"
printf '%s\n' "$help" | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}' |
while read -r cmd; do
  echo ".SS $cmd"
  echo ".nf"
  "$kwire" "$cmd" --help 2>&1 | esc
  echo ".fi"
done
cat <<'EOT'
.SH FILES
The library: libkwire.so, libkwire.a, kwire.h and kwire/*.h; pkg-config module \fBkwire\fR.
.SH SEE ALSO
The README and examples/ of the kwire source tree.
EOT
