"""The digital seal of a ballot box (票箱封条): the poll's key pair, the scrutineers' share cards, sealing and opening.

* Opening a poll makes an X25519 key pair (PyNaCl). Only the public key is
  stored. The 32-byte private key is split in two 16-byte halves and each half
  is shared with Shamir's scheme (pycryptodome, which shares 16-byte secrets)
  among the poll's scrutineers (监票人, 2 to 5) with a threshold; scrutineer i
  gets both halves' shares at index i, on one card. The private key and the
  shares exist only in the memory of the request that opens the poll; the
  cards are rendered into that request's response and cannot be fetched again.
* A share card reads as 56 base32 characters in groups of four: the index
  (1 byte), the two 16-byte shares and a 2-byte checksum keyed by the poll's
  id, so a mistyped character or a card of another poll is caught before
  anything is combined. Its QR code holds the same text with a prefix.
* A ballot is the canonical JSON of its contents, padded with spaces to
  PLAINTEXT_SIZE bytes, sealed with a SealedBox (an ephemeral key per ballot):
  every sealed ballot is SEALED_SIZE bytes. Its tracker is a hash of the sealed
  bytes, so it says nothing about the contents.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass

import segno
from Crypto.Protocol.SecretSharing import Shamir  # nosec B413  # pycryptodome (maintained), not the old PyCrypto
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from nacl.bindings import crypto_box_SEALBYTES
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

PLAINTEXT_SIZE = 128
SEALED_SIZE = PLAINTEXT_SIZE + crypto_box_SEALBYTES  # 128 + 48
MIN_SCRUTINEERS, MAX_SCRUTINEERS = 2, 5
SHARE_PAYLOAD = 1 + 16 + 16
SHARE_CHECK = 2
SHARE_CHARS = (SHARE_PAYLOAD + SHARE_CHECK) * 8 // 5  # 56
QR_PREFIX = "RENDA-SHARE"
_TYPO = str.maketrans({"0": "O", "1": "I", "8": "B"})


class ShareError(ValidationError):
    """A share card that was refused; the message says which and why."""


@dataclass(frozen=True)
class ShareCard:
    """One scrutineer's share, in memory only: printed once, never stored."""

    poll_id: int
    index: int
    scrutineer: str
    threshold: int
    total: int
    payload: bytes

    @property
    def text(self) -> str:
        return encode_share(self.poll_id, self.payload)

    @property
    def qr_svg(self) -> str:
        qr = segno.make(f"{QR_PREFIX}:{self.poll_id}:{self.text.replace('-', '')}", error="m")
        # no fixed size, a viewBox: the card's stylesheet sizes it (40 mm) and the whole code scales into that box
        return qr.svg_inline(scale=3, border=4, omitsize=True)


def _check(poll_id: int, payload: bytes) -> bytes:
    return hashlib.sha256(b"renda-share-v1:%d:" % poll_id + payload).digest()[:SHARE_CHECK]


def encode_share(poll_id: int, payload: bytes) -> str:
    raw = base64.b32encode(payload + _check(poll_id, payload)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def new_key(*, poll_id: int, scrutineers: list[str], threshold: int) -> tuple[bytes, list[ShareCard]]:
    """A fresh key pair for a poll: returns the public key and one card per scrutineer."""
    n = len(scrutineers)
    if not MIN_SCRUTINEERS <= n <= MAX_SCRUTINEERS or not 2 <= threshold <= n:
        raise ValueError("2 to 5 scrutineers and a threshold from 2 to their number")
    key = PrivateKey.generate()
    raw = bytes(key)
    low = Shamir.split(threshold, n, raw[:16])
    high = Shamir.split(threshold, n, raw[16:])
    cards = [
        ShareCard(poll_id=poll_id, index=i, scrutineer=scrutineers[i - 1], threshold=threshold, total=n,
                  payload=bytes([i]) + low[i - 1][1] + high[i - 1][1])
        for i in range(1, n + 1)
    ]
    return bytes(key.public_key), cards


def decode_share(poll_id: int, text: str, position: int) -> tuple[int, bytes]:
    """A typed or scanned card → (index, 32 share bytes). `position` numbers the entry for the messages."""
    cleaned = text.strip().upper()
    prefix = f"{QR_PREFIX}:"
    if cleaned.startswith(prefix):  # the QR code's contents
        parts = cleaned.split(":", 2)
        if len(parts) != 3 or parts[1] != str(poll_id):
            raise ShareError(_("Entry %(n)s belongs to another ballot box.") % {"n": position})
        cleaned = parts[2]
    cleaned = re.sub(r"[\s\-]", "", cleaned).translate(_TYPO)
    if len(cleaned) != SHARE_CHARS:
        raise ShareError(
            _("Entry %(n)s is incomplete: a share has %(want)s characters, %(got)s were entered.")
            % {"n": position, "want": SHARE_CHARS, "got": len(cleaned)}
        )
    try:
        raw = base64.b32decode(cleaned)
    except (ValueError, TypeError) as exc:
        raise ShareError(
            _("Entry %(n)s contains characters that are not on a share card (letters A–Z and digits 2–7).")
            % {"n": position}
        ) from exc
    payload, check = raw[:SHARE_PAYLOAD], raw[SHARE_PAYLOAD:]
    if _check(poll_id, payload) != check:
        raise ShareError(
            _("Entry %(n)s does not pass its checksum: a character is mistyped, or the card belongs to another "
              "ballot box.") % {"n": position}
        )
    return payload[0], payload[1:]


def rebuild_private_key(*, poll_id: int, public_key: bytes, threshold: int, texts: list[str]) -> tuple[PrivateKey, list[int]]:
    """Combine the entered cards into the private key, in memory. Returns the key and the card indexes used."""
    entered = [(i, t) for i, t in enumerate(texts, start=1) if t and t.strip()]
    errors, shares = [], {}
    for position, text in entered:
        try:
            index, share = decode_share(poll_id, text, position)
        except ShareError as exc:
            errors.extend(exc.messages)
            continue
        if index in shares:
            errors.append(_("Card %(n)s was entered twice: each scrutineer's card counts once.") % {"n": index})
            continue
        shares[index] = share
    if errors:
        raise ShareError(errors)
    if len(shares) < threshold:
        raise ShareError(
            _("%(t)s scrutineers' cards are needed to open the ballot box; %(k)s were entered.")
            % {"t": threshold, "k": len(shares)}
        )
    chosen = sorted(shares.items())[:threshold]
    low = Shamir.combine([(i, s[:16]) for i, s in chosen])
    high = Shamir.combine([(i, s[16:]) for i, s in chosen])
    key = PrivateKey(low + high)
    if bytes(key.public_key) != bytes(public_key):
        raise ShareError(_("These cards do not open this ballot box: check that they are the cards printed for it."))
    return key, [i for i, _s in chosen]


def canonical(contents: dict) -> bytes:
    return json.dumps(contents, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def seal(public_key: bytes, contents: dict) -> bytes:
    """Seal a ballot's contents: always SEALED_SIZE bytes, whatever was chosen."""
    plain = canonical(contents)
    if len(plain) > PLAINTEXT_SIZE:
        raise ValueError("ballot contents longer than the padded size")
    return SealedBox(PublicKey(bytes(public_key))).encrypt(plain.ljust(PLAINTEXT_SIZE, b" "))


def unseal(key: PrivateKey, sealed: bytes) -> dict | None:
    """The contents of a sealed ballot, or None when it cannot be opened or read (it then counts as invalid)."""
    try:
        data = json.loads(SealedBox(key).decrypt(bytes(sealed)))
    except (CryptoError, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def tracker(sealed: bytes) -> str:
    """The tracker (receipt) of a sealed ballot: a hash of its sealed bytes, 20 base32 characters."""
    raw = base64.b32encode(hashlib.sha256(bytes(sealed)).digest()).decode()[:20]
    return "-".join(raw[i:i + 5] for i in range(0, 20, 5))
