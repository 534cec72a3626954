#!/bin/sh
# The benchmarks' extra tools: the baselines (tesseract CLI comes with the
# build deps, ocrmypdf), img2pdf and mutool to prepare their inputs, and
# GNU time for peak RSS; Pillow, NumPy and the fonts make_receipts.py draws
# till receipts with.
exec sh "$(dirname "$0")/../deps.sh" ocrmypdf img2pdf mupdf-tools libtiff-tools time bc unzip \
	python3-pil python3-numpy fonts-dejavu-core fonts-dejavu-extra fonts-liberation \
	fonts-freefont-ttf fonts-inconsolata "$@"
