package ingest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"

	"github.com/baobot/baobot/retrieval"
)

// markdownParser is CommonMark plus GitHub's tables and strikethrough.
// goldmark parsers are safe for concurrent use.
var markdownParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough)).Parser()

// parseMarkdown reads a Markdown article with optional front matter (see
// splitFrontMatter).
//
// The body is the Markdown rendered to plain paragraphs, one per line:
// heading markers, emphasis, strikethrough and link syntax are dropped and
// their text kept; images are removed; code (fenced, indented or inline) is
// kept as text, a line per code line; list bullets are dropped but ordered
// list numbers kept ("2. "); table rows become one line, cells joined by
// " | "; raw HTML keeps only its text (never a script or style). Character
// references and backslash escapes are resolved.
//
// Front matter keys override what the file implies: ID defaults to meta.id,
// Source to meta.source. The title is front matter's title, else a level-1
// heading that opens the document (which then leaves the body), else
// derived from the first sentence. A bad url, published or lang value is
// ErrMalformed.
func parseMarkdown(data []byte, meta fileMeta) (retrieval.Article, error) {
	src, err := checkText(data)
	if err != nil {
		return retrieval.Article{}, err
	}
	switch {
	case len(data) == 0:
		return retrieval.Article{}, fmt.Errorf("%w: empty file", ErrEmpty)
	case strings.TrimSpace(src) == "":
		return retrieval.Article{}, fmt.Errorf("%w: only blank lines", ErrEmpty)
	}
	fm, body, err := splitFrontMatter(strings.ReplaceAll(src, "\r\n", "\n"))
	if err != nil {
		return retrieval.Article{}, err
	}
	a := retrieval.Article{ID: meta.id, Source: meta.source}
	if err := fm.apply(&a); err != nil {
		return retrieval.Article{}, err
	}

	source := []byte(body)
	doc := markdownParser.Parse(text.NewReader(source))
	first := doc.FirstChild()
	if h, ok := first.(*ast.Heading); ok && h.Level == 1 {
		r := mdRenderer{src: source}
		r.inlines(h)
		heading := oneLine(r.line.String())
		if a.Title == "" || a.Title == heading {
			a.Title = heading
			doc.RemoveChild(doc, h)
		}
	}
	r := mdRenderer{src: source}
	r.block(doc)
	r.flush()
	lines := paragraphs(strings.Join(r.lines, "\n"), true)
	if len(lines) == 0 {
		return retrieval.Article{}, fmt.Errorf("%w: no body text", ErrEmpty)
	}
	a.Body = strings.Join(lines, "\n")
	if a.Title == "" {
		a.Title = deriveTitle(lines[0])
	}
	return a, nil
}

// apply copies front matter into an article, checking each value.
func (fm frontMatter) apply(a *retrieval.Article) error {
	if id := strings.TrimSpace(fm.ID); id != "" {
		a.ID = id
	}
	if s := oneLine(fm.Source); s != "" {
		a.Source = s
	}
	a.Title = oneLine(fm.Title)
	a.Summary = strings.Join(paragraphs(fm.Summary, true), "\n")
	if strings.TrimSpace(fm.URL) != "" {
		u, err := checkURL(fm.URL)
		if err != nil {
			return fmt.Errorf("front matter: %w", err)
		}
		a.URL = u
	}
	if strings.TrimSpace(fm.Published) != "" {
		t, err := parsePublished(fm.Published)
		if err != nil {
			return fmt.Errorf("front matter: %w", err)
		}
		a.Published = t
	}
	if strings.TrimSpace(fm.Lang) != "" {
		code, ok := normalizeLang(fm.Lang)
		if !ok {
			return fmt.Errorf("%w: front matter: lang %q is not an ISO 639-1 code such as \"vi\" or \"en\"", ErrMalformed, fm.Lang)
		}
		a.Language = code
	}
	return nil
}

// mdRenderer turns a goldmark syntax tree into plain lines.
type mdRenderer struct {
	src    []byte
	lines  []string
	line   strings.Builder // the line being built
	prefix string          // written before the next line's text (list numbers)
}

// flush ends the current line.
func (r *mdRenderer) flush() {
	if s := strings.TrimSpace(r.line.String()); s != "" {
		r.lines = append(r.lines, r.prefix+s)
		r.prefix = ""
	}
	r.line.Reset()
}

// block renders a block node and its descendants.
func (r *mdRenderer) block(n ast.Node) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
		r.inlines(n)
		r.flush()
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		r.flush()
		r.rawLines(n.Lines())
	case *ast.HTMLBlock:
		r.flush()
		var b bytes.Buffer
		r.appendLines(&b, n.Lines())
		if n.HasClosure() {
			b.Write(n.ClosureLine.Value(r.src))
		}
		r.lines = append(r.lines, htmlText(b.Bytes())...)
	case *ast.ThematicBreak:
		r.flush()
	case *ast.List:
		r.flush()
		i := 0
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if n.IsOrdered() {
				r.prefix = strconv.Itoa(n.Start+i) + ". "
			}
			r.block(c)
			r.flush()
			r.prefix = ""
			i++
		}
	case *extast.Table:
		r.flush()
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			sep := ""
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				r.line.WriteString(sep)
				r.inlines(cell)
				sep = " | "
			}
			r.flush()
		}
	default:
		// Document, Blockquote, ListItem and any other container.
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if c.Type() == ast.TypeInline {
				r.inline(c)
			} else {
				r.block(c)
			}
		}
		r.flush()
	}
}

// inlines renders the inline children of n into the current line.
func (r *mdRenderer) inlines(n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		r.inline(c)
	}
}

// inline renders one inline node.
func (r *mdRenderer) inline(n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		v := n.Value(r.src)
		if !n.IsRaw() {
			v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
		}
		r.line.Write(v)
		switch {
		case n.HardLineBreak():
			r.flush()
		case n.SoftLineBreak():
			r.line.WriteByte(' ')
		}
	case *ast.String:
		r.line.Write(n.Value)
	case *ast.CodeSpan:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				v := t.Value(r.src)
				if trimmed, ok := bytes.CutSuffix(v, []byte("\n")); ok {
					r.line.Write(trimmed)
					r.line.WriteByte(' ')
				} else {
					r.line.Write(v)
				}
			}
		}
	case *ast.AutoLink:
		r.line.Write(n.Label(r.src))
	case *ast.Image, *ast.RawHTML:
		// Images have no text; inline HTML is tags, whose text is
		// in the neighbouring Text nodes.
	default:
		// Emphasis, Link, Strikethrough and any other wrapper.
		r.inlines(n)
	}
}

// rawLines adds each line of a code block as its own line.
func (r *mdRenderer) rawLines(lines *text.Segments) {
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		r.lines = append(r.lines, string(seg.Value(r.src)))
	}
}

func (r *mdRenderer) appendLines(b *bytes.Buffer, lines *text.Segments) {
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(r.src))
	}
}

// htmlText returns the text of an HTML fragment, one line per run of text,
// without tags, comments or the contents of script, style and similar
// elements.
func htmlText(fragment []byte) []string {
	var lines []string
	z := html.NewTokenizer(bytes.NewReader(fragment))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return lines
		case html.StartTagToken:
			if name, _ := z.TagName(); invisibleElement(string(name)) {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); invisibleElement(string(name)) && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				lines = append(lines, paragraphs(string(z.Text()), true)...)
			}
		}
	}
}

// invisibleElement reports whether an element's content is never text a
// reader sees.
func invisibleElement(tag string) bool {
	switch tag {
	case "script", "style", "noscript", "template", "iframe", "object", "svg", "math", "head", "title":
		return true
	}
	return false
}
