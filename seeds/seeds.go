// Package seeds holds the two Vietnamese news articles baobot was created to
// answer questions about. They are embedded in the binary and loaded into an
// empty database, so a fresh install can answer at once.
package seeds

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
)

// Source names the seed articles as the project's own.
const Source = "baobot seed articles"

//go:embed *.txt
var files embed.FS

// Articles returns the seed articles, parsed as plain text files (one
// paragraph per line, no title line: the title comes from the first
// sentence). Their IDs are "seed-" and the file name without extension.
func Articles() ([]retrieval.Article, error) {
	names, err := fs.Glob(files, "*.txt")
	if err != nil {
		return nil, err
	}
	var out []retrieval.Article
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, err
		}
		err = ingest.Parse(name, bytes.NewReader(data), ingest.Options{}, func(r ingest.Record) error {
			if r.Err != nil {
				return fmt.Errorf("seed %s: %w", name, r.Err)
			}
			a := r.Article
			a.ID = "seed-" + strings.TrimSuffix(path.Base(name), ".txt")
			a.Source = Source
			a.Language = retrieval.Vietnamese
			out = append(out, a)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
