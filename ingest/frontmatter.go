package ingest

import (
	"fmt"
	"strconv"
	"strings"
)

// frontMatter holds the keys a Markdown file's front matter may set. A key
// that is absent is the empty string.
type frontMatter struct {
	ID, Title, URL, Source, Published, Lang, Summary string
}

// field returns the frontMatter field for a key (case-insensitive), or nil
// for a key this package does not read.
func (fm *frontMatter) field(key string) *string {
	switch strings.ToLower(key) {
	case "id":
		return &fm.ID
	case "title":
		return &fm.Title
	case "url":
		return &fm.URL
	case "source":
		return &fm.Source
	case "published":
		return &fm.Published
	case "lang":
		return &fm.Lang
	case "summary":
		return &fm.Summary
	}
	return nil
}

// splitFrontMatter separates optional front matter from a Markdown text.
//
// Front matter is present when the first line is "---"; it ends at the next
// line that is "---" or "...". It is the small, line-based subset of YAML
// that article metadata needs:
//
//   - blank lines and lines starting with '#' (outside a "|" or ">" block)
//     are ignored;
//   - "key: value" sets a key; the value may be plain (a " #" starts a
//     comment), "double-quoted" (with backslash escapes) or 'single-quoted'
//     (where a doubled quote stands for one);
//   - indented lines continue the previous key's value, joined by spaces, or
//     by newlines after "key: |" ("key: >" folds like a plain value);
//   - keys other than id, title, url, source, published, lang and summary
//     are ignored, with everything indented under them (lists, maps).
//
// Anything else, a known key given twice or set to a list or map, or front
// matter that is never closed, is ErrMalformed naming the line. body is the
// text after the closing line, or all of text when there is no front matter.
func splitFrontMatter(text string) (fm frontMatter, body string, err error) {
	first, rest, _ := strings.Cut(text, "\n")
	if strings.TrimRight(first, " \t\r") != "---" {
		return fm, text, nil
	}
	lines := strings.Split(rest, "\n")
	end := -1
	for i, l := range lines {
		if l = strings.TrimRight(l, " \t\r"); l == "---" || l == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return fm, "", fmt.Errorf("%w: front matter opened on line 1 is never closed (want a \"---\" line)", ErrMalformed)
	}
	if err := fm.parse(lines[:end]); err != nil {
		return fm, "", err
	}
	return fm, strings.Join(lines[end+1:], "\n"), nil
}

// parse reads front matter lines; line i is line i+2 of the file.
func (fm *frontMatter) parse(lines []string) error {
	seen := map[string]bool{}
	var (
		cur   *string // the known key being continued, or nil
		key   string  // its name
		block string  // "|", ">" or "" (plain)
	)
	for i, raw := range lines {
		lineNo := i + 2
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		indented := line[0] == ' ' || line[0] == '\t'
		if strings.HasPrefix(trimmed, "#") && (!indented || block == "") {
			continue // a comment
		}
		if indented || strings.HasPrefix(line, "- ") || line == "-" {
			// A continuation of the previous key.
			switch {
			case key == "":
				return fmt.Errorf("%w: front matter line %d: indented line with no key above it", ErrMalformed, lineNo)
			case cur == nil:
				// Under an unknown key: ignored.
			case strings.HasPrefix(trimmed, "- ") || trimmed == "-" || block == "" && *cur == "" && isMapEntry(trimmed):
				return fmt.Errorf("%w: front matter line %d: %q must be a single value, not a list or map", ErrMalformed, lineNo, key)
			case block == "|":
				if *cur != "" {
					*cur += "\n"
				}
				*cur += trimmed
			default:
				if *cur != "" {
					*cur += " "
				}
				*cur += trimmed
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\"'") {
			return fmt.Errorf("%w: front matter line %d: want \"key: value\", got %q", ErrMalformed, lineNo, clip(line, 60))
		}
		key, cur, block = name, fm.field(name), ""
		if cur == nil {
			continue
		}
		lower := strings.ToLower(name)
		if seen[lower] {
			return fmt.Errorf("%w: front matter line %d: %q is given twice", ErrMalformed, lineNo, name)
		}
		seen[lower] = true
		v, err := scalar(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("%w: front matter line %d: %q: %v", ErrMalformed, lineNo, name, err)
		}
		switch v {
		case "|", "|-", "|+":
			block, v = "|", ""
		case ">", ">-", ">+":
			block, v = ">", ""
		}
		*cur = v
	}
	return nil
}

// isMapEntry reports whether an indented line looks like "key: value".
func isMapEntry(s string) bool {
	name, _, ok := strings.Cut(s, ":")
	return ok && name != "" && !strings.ContainsAny(name, " \t\"'")
}

// scalar decodes one YAML-ish scalar value.
func scalar(v string) (string, error) {
	switch {
	case v == "":
		return "", nil
	case v[0] == '"':
		end := closingQuote(v)
		if end < 0 {
			return "", fmt.Errorf("unterminated double-quoted value")
		}
		if rest := strings.TrimSpace(v[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", fmt.Errorf("text after the closing quote")
		}
		s, err := strconv.Unquote(v[:end+1])
		if err != nil {
			return "", fmt.Errorf("bad escape in double-quoted value")
		}
		return s, nil
	case v[0] == '\'':
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			if v[i] != '\'' {
				b.WriteByte(v[i])
				continue
			}
			if i+1 < len(v) && v[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			if rest := strings.TrimSpace(v[i+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
				return "", fmt.Errorf("text after the closing quote")
			}
			return b.String(), nil
		}
		return "", fmt.Errorf("unterminated single-quoted value")
	case v[0] == '[' || v[0] == '{':
		return "", fmt.Errorf("must be a single value, not a list or map")
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v, nil
}

// closingQuote returns the index of the '"' that closes the double-quoted
// string starting at v[0], or -1.
func closingQuote(v string) int {
	for i := 1; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
