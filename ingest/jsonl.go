package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/baobot/baobot/retrieval"
)

// jsonRecord is one JSON Lines object. Unknown fields are ignored.
type jsonRecord struct {
	ID        json.RawMessage `json:"id"` // a string or an integer
	Title     string          `json:"title"`
	Summary   string          `json:"summary"`
	Body      string          `json:"body"`
	URL       string          `json:"url"`
	Source    string          `json:"source"`
	Published string          `json:"published"`
	Lang      string          `json:"lang"`
}

// parseJSONL streams a JSON Lines source, one object per line, emitting one
// Record per non-blank line with Origin "name:line" (a source with no such
// line is one ErrEmpty Record). The stream is gunzipped when it starts with
// gzip's magic bytes, whatever its name says; a gzip stream that breaks off
// or fails its checksum emits, after the records read before the break, one
// ErrTruncated Record naming the line where it broke.
//
// A line fails alone, with ErrNotText (invalid UTF-8, NUL), ErrTooLarge
// (over Options.MaxLineBytes, never held in memory), or ErrMalformed (not
// a JSON object, a field of the wrong type, no "id" or no "body", a bad
// url, published or lang). Fields map one to one onto the Article; "id" is
// a string or an integer, kept as written; nothing is derived: no title is
// made up when "title" is absent. The body and summary keep one paragraph
// per line, trimmed, blank lines dropped; the title is one line.
func parseJSONL(name string, r io.Reader, opts Options, emit func(Record) error) error {
	lines, err := newLineReader(r, opts.maxLineBytes())
	if err != nil {
		return emit(Record{Origin: name, Err: err})
	}
	defer lines.Close()
	records := 0
	for {
		line, tooLong, err := lines.next()
		origin := name + ":" + strconv.Itoa(lines.n)
		switch {
		case err == io.EOF && records == 0:
			return emit(Record{Origin: name, Err: fmt.Errorf("%w: no JSON lines in the file", ErrEmpty)})
		case err == io.EOF:
			return nil
		case err != nil:
			return emit(Record{Origin: origin, Err: err})
		}
		var rec Record
		switch {
		case tooLong:
			rec = Record{Origin: origin, Err: fmt.Errorf("%w: line over the %s limit", ErrTooLarge, byteSize(int64(opts.maxLineBytes())))}
		case len(bytes.TrimSpace(line)) == 0:
			continue
		default:
			if lines.n == 1 {
				line = bytes.TrimPrefix(line, utf8BOM)
			}
			a, err := decodeJSONLine(line)
			rec = Record{Origin: origin, Article: a, Err: err}
		}
		records++
		if err := emit(rec); err != nil {
			return err
		}
	}
}

// decodeJSONLine turns one line into an Article.
func decodeJSONLine(line []byte) (retrieval.Article, error) {
	if err := validText(line); err != nil {
		return retrieval.Article{}, err
	}
	var j jsonRecord
	if err := json.Unmarshal(line, &j); err != nil {
		return retrieval.Article{}, jsonError(err)
	}
	id, err := jsonID(j.ID)
	if err != nil {
		return retrieval.Article{}, err
	}
	a := retrieval.Article{
		ID:      id,
		Title:   oneLine(j.Title),
		Source:  oneLine(j.Source),
		Summary: strings.Join(paragraphs(j.Summary, false), "\n"),
		Body:    strings.Join(paragraphs(j.Body, false), "\n"),
	}
	if a.Body == "" {
		return retrieval.Article{}, fmt.Errorf("%w: missing \"body\"", ErrMalformed)
	}
	if strings.TrimSpace(j.URL) != "" {
		if a.URL, err = checkURL(j.URL); err != nil {
			return retrieval.Article{}, err
		}
	}
	if strings.TrimSpace(j.Published) != "" {
		if a.Published, err = parsePublished(j.Published); err != nil {
			return retrieval.Article{}, err
		}
	}
	if strings.TrimSpace(j.Lang) != "" {
		var ok bool
		if a.Language, ok = normalizeLang(j.Lang); !ok {
			return retrieval.Article{}, fmt.Errorf("%w: lang %q is not an ISO 639-1 code such as \"vi\" or \"en\"", ErrMalformed, j.Lang)
		}
	}
	if err := checkFields(a); err != nil {
		return retrieval.Article{}, err
	}
	return a, nil
}

// jsonID reads "id": a non-blank string, or an integer.
func jsonID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("%w: missing \"id\"", ErrMalformed)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s = strings.TrimSpace(s); s == "" {
			return "", fmt.Errorf("%w: missing \"id\" (it is blank)", ErrMalformed)
		}
		return s, nil
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return string(raw), nil
	}
	return "", fmt.Errorf("%w: \"id\" must be a string or an integer, got %s", ErrMalformed, clip(string(raw), 40))
}

// jsonError rewrites encoding/json's errors for a person.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Errorf("%w: %q must be a string, got a JSON %s", ErrMalformed, typeErr.Field, typeErr.Value)
	case errors.As(err, &typeErr):
		return fmt.Errorf("%w: want a JSON object, got a JSON %s", ErrMalformed, typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("%w: invalid JSON at byte %d: %s", ErrMalformed, syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	}
	return fmt.Errorf("%w: invalid JSON: %v", ErrMalformed, err)
}

// lineReader reads lines of at most max bytes from a possibly gzipped
// stream without ever holding a longer line.
type lineReader struct {
	br   *bufio.Reader
	gz   *gzip.Reader // nil when the stream is not gzipped
	max  int
	n    int    // 1-based number of the line last returned
	buf  []byte // the line being assembled
	done bool
}

var gzipMagic = []byte{0x1f, 0x8b}

// newLineReader detects gzip by its magic bytes.
func newLineReader(r io.Reader, max int) (*lineReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	lr := &lineReader{br: br, max: max}
	if magic, _ := br.Peek(2); bytes.Equal(magic, gzipMagic) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip header: %v", ErrTruncated, err)
		}
		lr.gz = gz
		lr.br = bufio.NewReaderSize(gz, 64<<10)
	}
	return lr, nil
}

// Close releases the gzip reader, if any.
func (lr *lineReader) Close() error {
	if lr.gz != nil {
		return lr.gz.Close()
	}
	return nil
}

// next returns the next line without its line ending. tooLong reports a
// line over max, whose content is discarded. err is io.EOF at the clean end
// of the stream, or an ErrTruncated error when the stream breaks (a partial
// last line is then dropped, not returned).
func (lr *lineReader) next() (line []byte, tooLong bool, err error) {
	if lr.done {
		return nil, false, io.EOF
	}
	lr.buf = lr.buf[:0]
	lr.n++
	for {
		chunk, err := lr.br.ReadSlice('\n')
		if !tooLong {
			if len(lr.buf)+len(chunk) > lr.max+2 { // room for "\r\n"
				tooLong = true
				lr.buf = lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		switch {
		case err == nil:
			line = bytes.TrimSuffix(bytes.TrimSuffix(lr.buf, []byte("\n")), []byte("\r"))
			if len(line) > lr.max {
				return nil, true, nil
			}
			return line, tooLong, nil
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			lr.done = true
			if len(lr.buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			line = bytes.TrimSuffix(lr.buf, []byte("\r"))
			if len(line) > lr.max {
				return nil, true, nil
			}
			return line, tooLong, nil
		default:
			lr.done = true
			return nil, false, streamError(err, lr.n)
		}
	}
}

// streamError describes a read error that broke the stream at line n.
func streamError(err error, n int) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: the gzip stream ends early, in line %d; the lines before it were read", ErrTruncated, n)
	}
	return fmt.Errorf("%w: %v, in line %d; the lines before it were read", ErrTruncated, err, n)
}

// countRecords counts the Records parseJSONL would emit for r, without
// decoding the lines.
func countRecords(r io.Reader, maxLine int) int {
	lines, err := newLineReader(r, maxLine)
	if err != nil {
		return 1
	}
	defer lines.Close()
	n := 0
	for {
		line, tooLong, err := lines.next()
		switch {
		case err == io.EOF:
			return max(n, 1) // an empty file is one ErrEmpty Record
		case err != nil:
			return n + 1
		case tooLong || len(bytes.TrimSpace(line)) > 0:
			n++
		}
	}
}
