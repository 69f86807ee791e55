package storage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// A new index appears whole under its name, with no temporary file left
// beside it; if the name is taken meanwhile, createNew says so and leaves
// the file that took it alone.
func TestCreateNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index.db")
	db, err := createNew(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !db.Created() || db.Path() != path {
		t.Errorf("created %v, path %q", db.Created(), db.Path())
	}
	db.Close()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != "index.db" {
		t.Errorf("the directory holds %v", entries)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("%v, %v", info, err)
	}
	if db, err = Open(path, Options{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	taken := filepath.Join(dir, "taken.db")
	os.WriteFile(taken, []byte("someone's"), 0o644)
	if _, err := createNew(taken, 0); !errors.Is(err, fs.ErrExist) {
		t.Errorf("createNew on a taken name: %v", err)
	}
	if b, _ := os.ReadFile(taken); string(b) != "someone's" {
		t.Errorf("the file that took the name changed: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the directory holds %v", entries)
	}
}
