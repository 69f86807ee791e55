package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/baobot/baobot/retrieval"
)

// parseHTML reads a web page and keeps its main text, found by
// go-readability (a port of Firefox's Reader View), so navigation, ads and
// comments stay out. Scripts, styles, noscript and template contents are
// removed before extraction and never reach the text.
//
// The page is decoded as UTF-8 when it is valid UTF-8, else from the
// charset its byte order mark or <meta charset> declares; a page that is
// neither is ErrNotText. The body keeps one paragraph per line.
//
// Metadata comes only from the page: Title is the document's title as
// readability reads it (og:title, <title> and the like), else derived from
// the first sentence; URL is the canonical link, else og:url, when it is an
// absolute http(s) URL (a relative one is dropped: there is no base to
// resolve it against); Published is article:published_time when it is RFC
// 3339 or YYYY-MM-DD; Language is <html lang>'s primary code; Source is
// og:site_name, else meta.source. Summary stays empty: a meta description is
// usually a copy or a cut of the lead, which the body already has. Malformed
// page metadata is ignored, not an error.
func parseHTML(data []byte, meta fileMeta) (retrieval.Article, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return retrieval.Article{}, fmt.Errorf("%w: empty file", ErrEmpty)
	}
	decoded, err := decodeHTML(data)
	if err != nil {
		return retrieval.Article{}, err
	}
	page, err := checkText(decoded) // also drops a byte order mark
	if err != nil {
		return retrieval.Article{}, err
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return retrieval.Article{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	pm := readPageMeta(doc)
	removeInvisible(doc)

	art, err := extract(doc)
	if err != nil {
		return retrieval.Article{}, err
	}
	var lines []string
	if art.Node != nil {
		lines = paragraphs(render.InnerText(art.Node), true)
	}
	if len(lines) == 0 {
		return retrieval.Article{}, fmt.Errorf("%w: no readable text in the page", ErrEmpty)
	}

	a := retrieval.Article{
		ID:     meta.id,
		Title:  oneLine(art.Title()),
		Source: meta.source,
		Body:   strings.Join(lines, "\n"),
	}
	if a.Title == "" {
		a.Title = deriveTitle(lines[0])
	}
	if s := oneLine(art.SiteName()); s != "" {
		a.Source = s
	}
	for _, u := range []string{pm.canonical, pm.ogURL} {
		if u, err := checkURL(u); err == nil {
			a.URL = u
			break
		}
	}
	if pm.published != "" {
		if t, err := parsePublished(pm.published); err == nil {
			a.Published = t
		}
	}
	a.Language, _ = normalizeLang(pm.lang)
	return a, nil
}

// extract runs readability, turning a panic inside it (it is a large DOM
// rewriting library fed untrusted pages) into an error for this page alone.
func extract(doc *html.Node) (art readability.Article, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: readability failed on this page: %v", ErrMalformed, p)
		}
	}()
	parser := readability.NewParser()
	art, err = parser.ParseAndMutate(doc, nil)
	if err != nil {
		return art, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return art, nil
}

// decodeHTML returns the page as UTF-8. A byte order mark decides first;
// then valid UTF-8 is taken as is; then a charset declared in the first
// 1024 bytes is used. Anything else is ErrNotText rather than a guess.
func decodeHTML(data []byte) ([]byte, error) {
	enc, name, certain := charset.DetermineEncoding(data, "")
	switch {
	case certain && name != "utf-8":
		return enc.NewDecoder().Bytes(data) // UTF-16 with a BOM
	case utf8.Valid(data):
		return data, nil
	case name != "utf-8" && declaresCharset(data):
		return enc.NewDecoder().Bytes(data)
	}
	_, err := checkText(data)
	return nil, err
}

func declaresCharset(data []byte) bool {
	head := data[:min(len(data), 1024)]
	return bytes.Contains(bytes.ToLower(head), []byte("charset"))
}

// pageMeta is the metadata readPageMeta finds; each field is the first
// non-empty occurrence, as written.
type pageMeta struct {
	canonical, ogURL, published, lang string
}

func readPageMeta(doc *html.Node) pageMeta {
	var pm pageMeta
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = strings.TrimSpace(v)
		}
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				set(&pm.lang, attr(n, "lang"))
			case atom.Link:
				if hasToken(attr(n, "rel"), "canonical") {
					set(&pm.canonical, attr(n, "href"))
				}
			case atom.Meta:
				key := strings.ToLower(strings.TrimSpace(attr(n, "property")))
				if key == "" {
					key = strings.ToLower(strings.TrimSpace(attr(n, "name")))
				}
				switch key {
				case "og:url":
					set(&pm.ogURL, attr(n, "content"))
				case "article:published_time":
					set(&pm.published, attr(n, "content"))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return pm
}

// removeInvisible deletes the elements whose content is never text a
// reader sees, so no script or style can leak into the body whatever
// readability keeps.
func removeInvisible(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && invisibleElement(c.Data) && c.Data != "head" && c.Data != "title" {
			n.RemoveChild(c)
		} else if c.Type == html.CommentNode {
			n.RemoveChild(c)
		} else {
			removeInvisible(c)
		}
		c = next
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// hasToken reports whether a space-separated attribute value holds tok,
// ignoring case.
func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
