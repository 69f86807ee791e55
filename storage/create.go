package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// createNew creates a new index at path, which must not exist, so that a
// process killed at any moment leaves either no file at path or a complete,
// empty index: never a bbolt file without baobot's buckets, which Open
// would refuse as not baobot's. The index is initialised in a temporary
// file beside path (named path.*.creating) and linked into place; a kill
// before the link leaves that temporary file behind, and nothing at path.
//
// When the file system has no hard links, the index is created in place,
// as create does. When another process creates path first, createNew
// returns an error wrapping fs.ErrExist.
func createNew(path string, timeout time.Duration) (*DB, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".*.creating")
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	tmp := f.Name()
	f.Close()
	db, err := create(tmp, timeout, false)
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	err = os.Link(tmp, path)
	os.Remove(tmp)
	if errors.Is(err, fs.ErrExist) {
		db.bolt.Close()
		return nil, fmt.Errorf("storage: %s: %w", path, err)
	}
	if err != nil {
		// No hard links here: create the file in place.
		db.bolt.Close()
		return create(path, timeout, true)
	}
	db.path = path
	// Make the new name durable, as the transaction made the content.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return db, nil
}
