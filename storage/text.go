package storage

import (
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// An article's text (its summary and body) is stored compressed, one
// zstd frame per article, so that reading one article decompresses that
// article only. See doc.go for the layout.

// Codecs of a stored text, its first byte.
const (
	textRaw  = 0 // stored as it is
	textZstd = 1 // a zstd frame
)

// minCompressedText is the size below which a text is stored raw: a zstd
// frame's header and checksum would eat what it saves.
const minCompressedText = 64

// maxTextSize bounds what a stored text may decompress to: bbolt's largest
// value, which no text that was written can exceed.
const maxTextSize = 1<<31 - 2

// textEncoder and textDecoder are shared by every DB; both are safe for
// concurrent use.
var (
	textEncoder = sync.OnceValue(func() *zstd.Encoder {
		e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithLowerEncoderMem(true))
		if err != nil {
			panic(err) // only for invalid options
		}
		return e
	})
	textDecoder = sync.OnceValue(func() *zstd.Decoder {
		d, err := zstd.NewReader(nil, zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxMemory(maxTextSize))
		if err != nil {
			panic(err) // only for invalid options
		}
		return d
	})
	// plainPool holds the buffers texts are laid out in before compression
	// and decompressed into.
	plainPool = sync.Pool{New: func() any { return new([]byte) }}
)

// appendText appends the stored form of an article's text: a codec byte,
// then, compressed or not, the summary as a string followed by the body.
func appendText(dst []byte, summary, body string) []byte {
	buf := plainPool.Get().(*[]byte)
	defer plainPool.Put(buf)
	plain := append(appendString((*buf)[:0], summary), body...)
	*buf = plain
	if len(plain) >= minCompressedText {
		start := len(dst)
		packed := textEncoder().EncodeAll(plain, append(dst, textZstd))
		if len(packed)-start-1 < len(plain) {
			return packed
		}
		dst = packed[:start]
	}
	return append(append(dst, textRaw), plain...)
}

// errText is decodeText's error for a stored text that does not decode.
var errText = errors.New("text")

// decodeText decodes a stored text made by appendText; the strings are
// copies.
func decodeText(v []byte) (summary, body string, err error) {
	if len(v) == 0 {
		return "", "", fmt.Errorf("%w: missing", errText)
	}
	plain := v[1:]
	switch v[0] {
	case textRaw:
	case textZstd:
		buf := plainPool.Get().(*[]byte)
		defer plainPool.Put(buf)
		if plain, err = textDecoder().DecodeAll(plain, (*buf)[:0]); err != nil {
			return "", "", fmt.Errorf("%w: %w", errText, err)
		}
		*buf = plain
	default:
		return "", "", fmt.Errorf("%w: unknown codec %d", errText, v[0])
	}
	d := &decoder{b: plain}
	summary = d.string()
	if d.err != nil {
		return "", "", fmt.Errorf("%w: summary: %w", errText, d.err)
	}
	return summary, string(d.b), nil
}
