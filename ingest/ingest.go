// Package ingest turns sources into retrieval.Articles: plain text, Markdown,
// HTML and JSON Lines files, whole directories of them, or a single named
// stream such as a Discord attachment.
//
// Everything streams: a parser hands each article to an emit callback as soon
// as it is read, so a large gzip-compressed JSON Lines file never sits in
// memory whole. Bad input never stops a batch: it becomes a Record whose Err
// says what is wrong and where, and the next item is read. The only error the
// entry points return is the one an emit callback returned to stop them.
//
// Metadata is never invented. A URL, a date, a language or a summary is set
// only when the source states it; what a source states badly (a date that is
// not a date, a URL that is not http or https) is an error for a source that
// states it on purpose (front matter, a JSON field) and is ignored for one that
// merely carries it (a web page's meta tags). Text is never repaired: input
// that is not valid UTF-8 or contains NUL bytes is rejected with a reason, with
// one exception: an HTML page that declares a legacy charset (or starts with a
// byte order mark) is decoded from it, as a browser would.
//
// Formats are chosen by file name extension:
//
//	.txt                      plain text (text.go)
//	.md .markdown             Markdown with optional front matter (markdown.go)
//	.html .htm                HTML, main text extracted by readability (html.go)
//	.jsonl .ndjson            JSON Lines, gzip detected by magic bytes (jsonl.go)
//	.jsonl.gz .ndjson.gz .json.gz
package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/baobot/baobot/retrieval"
)

// Record is one parsed item, or why it could not be parsed.
type Record struct {
	// Origin names the item for people: the file path ("dir/a.txt"), or
	// for a JSON Lines record the path and the 1-based line number
	// ("news.jsonl.gz:17").
	Origin  string
	Article retrieval.Article // valid when Err == nil
	Err     error
}

// Options bound the resources one source may take. The zero value is ready
// to use.
type Options struct {
	// MaxFileBytes is the largest text, Markdown or HTML file that is read;
	// a larger one is a Record with ErrTooLarge. Zero means 32 MiB. It does
	// not apply to JSON Lines, which stream.
	MaxFileBytes int64
	// MaxLineBytes is the longest JSON Lines line (after decompression) that
	// is decoded; a longer one is a Record with ErrTooLarge and the next
	// line is read. Zero means 4 MiB.
	MaxLineBytes int
}

// Default limits, used where Options leaves a field zero.
const (
	DefaultMaxFileBytes int64 = 32 << 20
	DefaultMaxLineBytes int   = 4 << 20
)

func (o Options) maxFileBytes() int64 {
	if o.MaxFileBytes > 0 {
		return o.MaxFileBytes
	}
	return DefaultMaxFileBytes
}

func (o Options) maxLineBytes() int {
	if o.MaxLineBytes > 0 {
		return o.MaxLineBytes
	}
	return DefaultMaxLineBytes
}

// The kinds of bad input. Every Record.Err wraps exactly one of them (or, for
// a path that cannot be read, the operating system's error, such as
// fs.ErrNotExist), so a caller can tell a person what went wrong in their own
// words with errors.Is.
var (
	// ErrUnsupported: the name has no extension this package reads.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrEmpty: the source holds no text (an empty file, only blank
	// lines, only front matter, a page with no readable text).
	ErrEmpty = errors.New("no text")
	// ErrTooLarge: a file is over Options.MaxFileBytes or a JSON Lines line
	// is over Options.MaxLineBytes.
	ErrTooLarge = errors.New("too large")
	// ErrNotText: invalid UTF-8 or a NUL byte, so most likely not text.
	ErrNotText = errors.New("not UTF-8 text")
	// ErrMalformed: the text is readable but breaks its format's rules
	// (bad JSON, a missing id, an unparsable date, broken front matter).
	ErrMalformed = errors.New("malformed")
	// ErrTruncated: a compressed stream ends early or is corrupt; the
	// records before the break were still emitted.
	ErrTruncated = errors.New("truncated or corrupt")
)

// format is a kind of source, chosen by file name extension.
type format int

const (
	formatUnknown format = iota
	formatText
	formatMarkdown
	formatHTML
	formatJSONL
)

// extensions maps a lower-case name suffix to its format. Longer suffixes
// come first so that ".jsonl.gz" wins over a shorter match.
var extensions = []struct {
	suffix string
	format format
}{
	{".jsonl.gz", formatJSONL},
	{".ndjson.gz", formatJSONL},
	{".json.gz", formatJSONL},
	{".jsonl", formatJSONL},
	{".ndjson", formatJSONL},
	{".markdown", formatMarkdown},
	{".md", formatMarkdown},
	{".txt", formatText},
	{".html", formatHTML},
	{".htm", formatHTML},
}

// formatOf returns the format of a file name and the extension that chose it
// (as spelled in name), or formatUnknown.
func formatOf(name string) (format, string) {
	lower := strings.ToLower(name)
	for _, e := range extensions {
		if strings.HasSuffix(lower, e.suffix) && len(name) > len(e.suffix) {
			return e.format, name[len(name)-len(e.suffix):]
		}
	}
	return formatUnknown, ""
}

// Supported reports whether name has an extension that Parse reads.
func Supported(name string) bool {
	f, _ := formatOf(name)
	return f != formatUnknown
}

// Parse reads one source from r, choosing its format by the extension of
// name, and emits its Records: exactly one for a text, Markdown or HTML
// source, one per non-blank line for JSON Lines (plus one more if the stream
// breaks off). name is also the source's Origin, and for text, Markdown and
// HTML its ID is derived from name without its extension (see ParseFile);
// Source is name's base name.
//
// An unknown extension is one Record with ErrUnsupported. Parse returns only
// the error emit returned, which stops it.
func Parse(name string, r io.Reader, opts Options, emit func(Record) error) error {
	return parseStream(file{origin: name, rel: name}, r, -1, opts, emit)
}

// file names a source two ways.
type file struct {
	origin string // for Record.Origin
	rel    string // path relative to the walked root, for the ID
}

// parseStream parses r as the format file.rel's extension names. size is the
// known size of r, or -1.
func parseStream(f file, r io.Reader, size int64, opts Options, emit func(Record) error) error {
	kind, ext := formatOf(f.rel)
	if kind == formatUnknown {
		return emit(Record{Origin: f.origin, Err: fmt.Errorf("%w: %q (want %s)", ErrUnsupported, path.Ext(f.rel), supportedList())})
	}
	if kind == formatJSONL {
		return parseJSONL(f.origin, r, opts, emit)
	}
	data, err := readLimited(r, size, opts.maxFileBytes())
	if err != nil {
		return emit(Record{Origin: f.origin, Err: err})
	}
	meta := fileMeta{
		id:     slugID(strings.TrimSuffix(filepath.ToSlash(f.rel), ext)),
		source: path.Base(filepath.ToSlash(f.rel)),
	}
	var a retrieval.Article
	switch kind {
	case formatText:
		a, err = parseText(data, meta)
	case formatMarkdown:
		a, err = parseMarkdown(data, meta)
	case formatHTML:
		a, err = parseHTML(data, meta)
	}
	if err == nil {
		err = checkFields(a)
	}
	if err != nil {
		return emit(Record{Origin: f.origin, Err: err})
	}
	return emit(Record{Origin: f.origin, Article: a})
}

// checkFields is the last gate before an article is emitted: an escape
// sequence (in JSON or a quoted front matter value) can produce what
// checkText refuses in raw bytes.
func checkFields(a retrieval.Article) error {
	for _, f := range []struct{ name, value string }{
		{"id", a.ID}, {"title", a.Title}, {"url", a.URL}, {"source", a.Source},
		{"lang", a.Language}, {"summary", a.Summary}, {"body", a.Body},
	} {
		if strings.IndexByte(f.value, 0) >= 0 {
			return fmt.Errorf("%w: %s holds a NUL character", ErrNotText, f.name)
		}
		if f.name == "id" && strings.IndexFunc(f.value, unicode.IsControl) >= 0 {
			return fmt.Errorf("%w: id %q holds a control character", ErrMalformed, f.value)
		}
		if !utf8.ValidString(f.value) {
			return fmt.Errorf("%w: %s is not valid UTF-8", ErrNotText, f.name)
		}
	}
	return nil
}

func supportedList() string {
	var names []string
	for _, e := range extensions {
		names = append(names, e.suffix)
	}
	return strings.Join(names, ", ")
}

// fileMeta is what a whole-file source knows about itself before its
// content is read: the ID and Source to use unless the content says
// otherwise.
type fileMeta struct {
	id     string
	source string
}

// readLimited reads all of r, failing with ErrTooLarge past max bytes.
// size is r's known size, or -1; it only lets a too-large file fail before
// it is read.
func readLimited(r io.Reader, size, max int64) ([]byte, error) {
	if size > max {
		return nil, fmt.Errorf("%w: %d bytes, over the %s limit", ErrTooLarge, size, byteSize(max))
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: over the %s limit", ErrTooLarge, byteSize(max))
	}
	return data, nil
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d-byte", n)
}

var utf8BOM = []byte("\xef\xbb\xbf")

// checkText returns data as a string without a leading UTF-8 byte order
// mark, or the error of validText.
func checkText(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if err := validText(data); err != nil {
		return "", err
	}
	return string(data), nil
}

// validText returns ErrNotText if data is not valid UTF-8 or holds a NUL
// byte, giving the 1-based line and the byte offset of the first bad byte.
func validText(data []byte) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Errorf("%w: NUL byte at line %d (byte offset %d)", ErrNotText, bytes.Count(data[:i], []byte("\n"))+1, i)
	}
	if !utf8.Valid(data) {
		i := invalidUTF8At(data)
		return fmt.Errorf("%w: invalid UTF-8 at line %d (byte offset %d)", ErrNotText, bytes.Count(data[:i], []byte("\n"))+1, i)
	}
	return nil
}

// invalidUTF8At returns the offset of the first byte of data that is not
// part of a valid UTF-8 sequence, or len(data).
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// paragraphs splits text into paragraphs, one per line: line endings are
// normalised (CRLF and lone CR become LF), each line is trimmed and empty
// lines are dropped. When collapse is set, runs of white space inside a line
// become one space.
func paragraphs(text string, collapse bool) []string {
	text = dropControls(text)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if collapse {
			line = strings.Join(strings.Fields(line), " ")
		} else {
			line = strings.TrimSpace(line)
		}
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// oneLine collapses all white space in s, line breaks included, to single
// spaces, and drops control characters (see dropControls).
func oneLine(s string) string { return strings.Join(strings.Fields(dropControls(s)), " ") }

// dropControls removes the control characters of s (Unicode's Cc: C0, DEL
// and C1) but tab, line feed and carriage return, which are white space,
// and NUL, which checkFields refuses. They show as nothing useful, and some
// drive a terminal: an ESC sequence in a title would recolour or clear the
// screen of whoever runs `baobot articles show`.
func dropControls(s string) string {
	if strings.IndexFunc(s, droppedControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if droppedControl(r) {
			return -1
		}
		return r
	}, s)
}

func droppedControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' && r != 0
}

// Title rules, shared by the file formats.
const (
	// titleMaxRunes is the longest first line that can be a title.
	titleMaxRunes = 150
	// derivedTitleMaxBytes bounds a title cut from the first sentence
	// (retrieval.Truncate counts bytes).
	derivedTitleMaxBytes = 120
)

// looksLikeTitle reports whether a line reads as a headline rather than
// prose: at most titleMaxRunes characters, no sentence ending inside it (so
// a photo caption "… ngày 10/4. (Nguồn: Kyodo)" is not a title), and not
// ending (closing quotes and brackets aside) in sentence or clause
// punctuation.
func looksLikeTitle(line string) bool {
	if line == "" || utf8.RuneCountInString(line) > titleMaxRunes || retrieval.FirstSentence(line) != line || retrieval.IsCaption(line) {
		return false
	}
	trimmed := strings.TrimRight(line, "\"'”’»)]} \t")
	if trimmed == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(trimmed)
	return !strings.ContainsRune(".!?…:;,", last)
}

// deriveTitle makes a title from the first sentence of a paragraph (by the
// rules of retrieval.FirstSentence, so "TP.HCM" and "3.5" do not end one),
// without a final '.', and
// cut at a word with "…" when longer than derivedTitleMaxBytes.
func deriveTitle(paragraph string) string {
	s := retrieval.FirstSentence(paragraph)
	if strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "..") {
		s = strings.TrimSuffix(s, ".")
	}
	return retrieval.Truncate(strings.TrimSpace(s), derivedTitleMaxBytes)
}

// slugID derives a stable ID from a slash-separated relative path without
// extension: accents are removed ("Thủ tướng" → "thu-tuong", "đ" → "d"),
// letters are lower-cased, and anything but ASCII letters, digits, '-', '_'
// and '/' becomes '-', with runs of '-' collapsed and '-' trimmed from each
// path segment. Empty, "." and ".." segments are dropped. A path with nothing
// left (a name in a non-Latin script) gets "doc-" and a hash of the path, so
// the ID is still stable.
func slugID(rel string) string {
	var segs []string
	for seg := range strings.SplitSeq(rel, "/") {
		if seg == "" || seg == "." || seg == ".." {
			continue
		}
		var b strings.Builder
		dash := false
		for _, r := range norm.NFD.String(seg) {
			switch {
			case r == 'đ' || r == 'Đ':
				r = 'd'
			case unicode.Is(unicode.Mn, r):
				continue
			}
			r = unicode.ToLower(r)
			if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				if r == '-' {
					if dash {
						continue
					}
					dash = true
				} else {
					dash = false
				}
				b.WriteRune(r)
				continue
			}
			if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		if s := strings.Trim(b.String(), "-"); s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) == 0 {
		sum := sha256.Sum256([]byte(rel))
		return "doc-" + hex.EncodeToString(sum[:6])
	}
	return strings.Join(segs, "/")
}

// parsePublished parses a publication date given as RFC 3339
// ("2021-10-07T09:30:00+07:00") or as a calendar date ("2021-10-07", taken
// as midnight UTC).
func parsePublished(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: published %q is neither RFC 3339 nor YYYY-MM-DD", ErrMalformed, s)
}

// checkURL accepts an absolute http or https URL, the only kind a reader can
// follow (and the only kind Discord will put in an embed).
func checkURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t\n") {
		return "", fmt.Errorf("%w: url %q is not an absolute http(s) URL", ErrMalformed, s)
	}
	return s, nil
}

// normalizeLang reduces a language tag to its ISO 639-1 code ("vi-VN" →
// "vi"). ok is false when the tag has no two-letter primary code.
func normalizeLang(tag string) (code string, ok bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) != 2 || tag[0] < 'a' || tag[0] > 'z' || tag[1] < 'a' || tag[1] > 'z' {
		return "", false
	}
	return tag, true
}
