#!/bin/sh
# Optional: third-party documents from ../shared/data (Tesseract's test
# pages with their gold text, a DMS project's odd files, e-invoice XML).
# Skips (exit 77) when the folder is absent.
. "$(dirname "$0")/../e2e_lib.sh"

D=${FOLIO_SHARED_DATA:-}
if [ -z "$D" ] || [ ! -d "$D/ocr" ]; then
	echo "skip: ../shared/data is absent"
	exit 77
fi
O="$D/odd/paperless/tesseract"

run init
run ingest --json "$D/ocr/phototest.tif" "$D/ocr/eurotext.tif" "$O/document.webp" \
	"$O/simple.gif" "$O/simple.bmp" "$O/simple-no-dpi.png" "$O/multi-page-images.tiff" \
	"$O/multi-page-mixed.pdf" "$O/simple.heic" "$O/encrypted.pdf" \
	"$D/odd/documents/password-is-test.pdf" "$D/odd/documents/simple.zip" \
	"$D/odd/documents/simple.txt"
printf '%s\n' "$OUT" >"$WORK/o.jsonl"
expect_rc 1 "some quarantined"
st() { jq -r --arg p "$1" 'select(.path == $p) | .status + " " + (.reason // "")' "$WORK/o.jsonl"; }
for f in "$D/ocr/phototest.tif" "$D/ocr/eurotext.tif" "$O/document.webp" "$O/simple.gif" \
	"$O/simple.bmp" "$O/simple-no-dpi.png" "$O/multi-page-images.tiff" "$O/multi-page-mixed.pdf" \
	"$D/odd/documents/simple.zip!/simple.pdf" "$D/odd/documents/simple.txt"; do
	case "$(st "$f")" in archived*) pass ;; *) fail "$f: $(st "$f")" ;; esac
done
case "$(st "$O/simple.heic")" in "quarantined unsupported file type 'image/heic'") pass ;;
*) fail "heic: $(st "$O/simple.heic")" ;; esac
case "$(st "$O/encrypted.pdf")" in "quarantined encrypted PDF"*) pass ;; *) fail "encrypted" ;; esac
case "$(st "$D/odd/documents/password-is-test.pdf")" in "quarantined encrypted PDF"*) pass ;;
*) fail "password-is-test" ;; esac

# OCR accuracy on Tesseract's own test page: words of its gold text
id=$(jq -r --arg p "$D/ocr/phototest.tif" 'select(.path == $p) | .id' "$WORK/o.jsonl")
"$FOLIO" text "$id" >"$WORK/t"
tr -s ' \n' '\n\n' <"$D/ocr/phototest.txt" | tr -d '.,' | grep -E '^[A-Za-z]{4,}$' | sort -u >"$WORK/gold"
n=$(wc -l <"$WORK/gold")
hit=$(while read -r w; do grep -qw -- "$w" "$WORK/t" && echo x; done <"$WORK/gold" | wc -l)
[ "$hit" -ge $((n * 95 / 100)) ] && pass || fail "phototest: $hit of $n gold words"
run search --json webp
expect_out '"title":"document.webp"' "webp text searchable"
run show --json "$(jq -r --arg p "$O/multi-page-images.tiff" 'select(.path == $p) | .id' "$WORK/o.jsonl")"
expect_out '"pages":[2-9]' "multi-page tiff pages"
finish
