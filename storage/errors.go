package storage

import (
	"errors"
	"fmt"
)

// Errors returned by Open and by the DB's methods, always wrapped with the
// path of the index. Test for them with errors.Is.
var (
	// ErrNotBaobot: the file is not a baobot index. It is not a bbolt file,
	// or it is one without baobot's meta bucket. Open leaves it untouched.
	ErrNotBaobot = errors.New("not a baobot index")

	// ErrNewerSchema: the index was written by a newer baobot, whose schema
	// this one cannot read.
	ErrNewerSchema = errors.New("index written by a newer baobot")

	// ErrInUse: another process holds the index file.
	ErrInUse = errors.New("index in use by another process")

	// ErrNeedsReindex: the index was built with other analysis rules than
	// the current retrieval.AnalysisVersion (or a Reindex did not finish).
	// Put and Remove refuse to run until Reindex has rebuilt it.
	ErrNeedsReindex = errors.New("index needs a reindex")

	// ErrReadOnly: a write on an index opened with Options.ReadOnly.
	ErrReadOnly = errors.New("index opened read-only")

	// ErrCorrupt: the file is a damaged bbolt file, or holds a value baobot
	// cannot decode.
	ErrCorrupt = errors.New("index is damaged")

	// ErrInvalidArticle: Put was given an article it cannot store. It comes
	// inside an *ArticleError that names the article.
	ErrInvalidArticle = errors.New("invalid article")
)

// ArticleError names the article of a Put batch that was refused. Nothing of
// the batch was written: drop that article and put the others again.
type ArticleError struct {
	Index int    // position of the article in the batch
	ID    string // its ID, as given
	Err   error  // why, wrapping ErrInvalidArticle
}

func (e *ArticleError) Error() string {
	return fmt.Sprintf("article %d (%q): %v", e.Index, e.ID, e.Err)
}

func (e *ArticleError) Unwrap() error { return e.Err }

// invalid returns the error for an article that cannot be stored.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidArticle}, args...)...)
}

// corrupt returns the error for stored data that cannot be decoded.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}
