#!/bin/sh
# Install the Debian packages folio needs to build and test, if missing.
# Idempotent; silent when everything is present. Extra packages may be
# named as arguments (the benchmarks add theirs).
set -eu

PKGS="gcc make pkg-config
libtesseract-dev tesseract-ocr tesseract-ocr-osd tesseract-ocr-eng
tesseract-ocr-pol tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-ita tesseract-ocr-deu
libleptonica-dev libarchive-dev libsqlite3-dev libmagic-dev libmagic-mgc
libmupdf-dev libmujs-dev libgumbo-dev libjbig2dec0-dev libopenjp2-7-dev libjpeg-dev
libharfbuzz-dev libfreetype-dev zlib1g-dev libzbar-dev libxml2-dev libtiff-dev nettle-dev libxlsxwriter-dev
jq unzip python3 bc zsh qrencode zint libtiff-tools mupdf-tools
libxml2-utils default-jre-headless libsaxonhe-java hledger sqlite3
clang libclang-rt-14-dev cppcheck clang-format libgmime-3.0-dev libssl-dev libgsf-1-dev
libcurl4-openssl-dev curl dovecot-imapd
postgresql postgresql-contrib libpq-dev"

missing=""
for p in $PKGS "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO=sudo
	else
		echo "folio: missing Debian packages:$missing" >&2
		echo "folio: run 'make deps' as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
else
	SUDO=
fi
echo "folio: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# dovecot-imapd and postgresql are for the tests, which start their own
# unprivileged servers (tests/imap_lib.sh, tests/pg/cluster.sh): their
# packages must not start (or leave enabled) the system-wide ones
policy=""
case " $missing " in
*" dovecot-imapd "* | *" postgresql "*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
		$SUDO chmod 755 $policy
		trap '$SUDO rm -f "$policy"' EXIT
	fi
	;;
esac
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
case " $missing " in
*" dovecot-imapd "*)
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
	fi
	;;
esac
case " $missing " in
*" postgresql "*)
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now postgresql.service >/dev/null 2>&1 || true
	fi
	;;
esac
