#!/bin/sh
# The benchmarks' extra tools: the baselines (tesseract CLI comes with the
# build deps, ocrmypdf), img2pdf and mutool to prepare their inputs, and
# GNU time for peak RSS.
exec sh "$(dirname "$0")/../deps.sh" ocrmypdf img2pdf mupdf-tools libtiff-tools time bc unzip "$@"
