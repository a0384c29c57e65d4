"""The lines of a call-record file as text, whatever its encoding (UTF-8, GBK/GB18030, UTF-16)."""

from collections.abc import Iterator
from typing import BinaryIO

CHUNK_SIZE = 1 << 20  # bytes read at a time; a step of the upload page ends at the end of one


class DecodedText:
    """The lines of a binary CDR file as text (without line ends), in UTF-8, GBK or UTF-16.

    UTF-8 (with or without a byte order mark) is tried first, then GB18030, the superset of GBK and
    GB2312. The first block with non-ASCII bytes decides the encoding of the file; a later block
    that does not decode in it is decoded line by line, each line in whichever of the two fits
    (undecodable bytes become U+FFFD), so a stray line never stops an import. ``encoding`` says
    what was found ("UTF-8", "GBK" or "UTF-16") once the lines have been read.

    Reading may start at ``offset``, the start of a line (a byte after a line end: neither UTF-8 nor
    GB18030 ever has the byte of a line end inside a character), with ``codec`` the one an earlier
    reading decided ("utf-8" or "gb18030"; None while it had only seen ASCII). With ``stop_after``,
    reading stops at the end of the block in which that many lines have been read; ``offset`` is
    then where the next line starts, ``lines`` how many lines were read and ``stopped`` is true.
    UTF-16 is read whole, from the start only.
    """

    def __init__(
        self,
        binary_file: BinaryIO,
        chunk_size: int = CHUNK_SIZE,
        *,
        offset: int = 0,
        codec: str | None = None,
        stop_after: int | None = None,
    ):
        self._file = binary_file
        self._chunk_size = chunk_size
        self._stop_after = stop_after
        self.codec = codec
        self.encoding = "GBK" if codec == "gb18030" else "UTF-8"
        self.offset = offset  # in bytes: the start of the first line not read yet
        self.lines = 0  # lines read (and yielded) by this reading
        self.stopped = False

    def __iter__(self) -> Iterator[str]:
        read = self._file.read
        start = self.offset  # the file position of the first byte of `rest`, then of `data`
        if start:
            self._file.seek(start)
        block = read(self._chunk_size)
        if isinstance(block, str):  # a file opened in text mode: already decoded
            lines = (block + read()).lstrip("\ufeff").split("\n")
            self.lines = len(lines)
            yield from lines
            return
        if not start and block.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.encoding = "UTF-16"
            lines = (block + read()).decode("utf-16", errors="replace").split("\n")
            self.lines = len(lines)
            yield from lines
            return
        if not start and block.startswith(b"\xef\xbb\xbf"):
            block = block[3:]
            start = 3
        codec = self.codec  # decided by the first block that is not plain ASCII
        stop_after = self._stop_after
        rest = b""
        while True:
            data = rest + block if rest else block
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
            else:
                rest = data[cut + 1 :]
                data = data[:cut]
                if codec is None and not data.isascii():
                    codec = self.codec = self._choose(data)
                lines = self._decode(data, codec).split("\n")
                self.lines += len(lines)
                yield from lines
                start += cut + 1
                self.offset = start
                if stop_after is not None and self.lines >= stop_after:
                    self.stopped = True
                    return
            block = read(self._chunk_size)
            if not block:
                break
        if rest:
            if codec is None and not rest.isascii():
                codec = self.codec = self._choose(rest)
            self.lines += 1
            self.offset = start + len(rest)
            yield from self._decode(rest, codec).split("\n")

    def _choose(self, block: bytes) -> str:
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8"
        # Some line is not UTF-8: count the lines each encoding explains (UTF-8 wins a tie).
        utf8 = gbk = 0
        for raw in block.split(b"\n"):
            if raw.isascii():
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    raw.decode("gb18030")
                except UnicodeDecodeError:
                    continue
                gbk += 1
            else:
                utf8 += 1
        if gbk > utf8:
            self.encoding = "GBK"
            return "gb18030"
        return "utf-8"

    @staticmethod
    def _decode(block: bytes, codec: str | None) -> str:
        codec = codec or "utf-8"
        try:
            return block.decode(codec)
        except UnicodeDecodeError:
            pass
        other = "gb18030" if codec == "utf-8" else "utf-8"
        lines = []
        for raw in block.split(b"\n"):
            try:
                lines.append(raw.decode(codec))
            except UnicodeDecodeError:
                try:
                    lines.append(raw.decode(other))
                except UnicodeDecodeError:
                    lines.append(raw.decode(codec, errors="replace"))
        return "\n".join(lines)


def decode_stream(binary_file: BinaryIO, *, chunk_size: int = CHUNK_SIZE) -> DecodedText:
    """The text lines of a binary file in UTF-8 (BOM or not), GBK/GB18030 or UTF-16, read in chunks."""
    return DecodedText(binary_file, chunk_size)
